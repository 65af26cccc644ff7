# A second --external_plugins file for tests: a reward that records what ms-swift passes to it.
import json
import os

from swift.rewards import ORM, orms


class ProbeColumns(ORM):
    def __call__(self, completions, **kwargs):
        with open(os.environ["SCIFI_PROBE_OUT"], "a", encoding="utf-8") as f:
            for i in range(len(completions)):
                row = {k: kwargs[k][i] for k in ("terms", "target_length", "lang") if k in kwargs}
                f.write(json.dumps({"n": len(completions), **row}, ensure_ascii=False) + "\n")
        return [0.0] * len(completions)


orms["probe_columns"] = ProbeColumns
