# ms-swift external plugin shim for people working from a checkout:
#   swift sft --external_plugins plugins/scifi_plugin.py ...
# Registers the scifi-* datasets and scifi_* rewards (idempotent).
import os
import sys

_repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _repo not in sys.path:
    sys.path.append(_repo)  # appended, not prepended: an installed swift_scifi wins if present

import swift_scifi  # noqa: E402

swift_scifi.register()
