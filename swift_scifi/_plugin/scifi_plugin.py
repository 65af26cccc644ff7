# ms-swift external plugin shim: `--external_plugins $(swift-scifi plugin-path)`.
# ms-swift puts this file's folder first on sys.path, so the folder holds nothing that could shadow a package.
import swift_scifi

swift_scifi.register()
