"""The built wheel carries everything an installed swift-scifi needs at run time (no checkout, no ../shared)."""

import subprocess
import sys
import zipfile


def test_wheel_ships_shim_data_and_presets(tmp_path):
    from tests.conftest import REPO

    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(REPO)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = set(zipfile.ZipFile(next(tmp_path.glob("swift_scifi-*.whl"))).namelist())
    assert "swift_scifi/_plugin/scifi_plugin.py" in names
    assert not any(n.startswith("swift_scifi/_plugin/") and n.endswith("__init__.py") for n in names)
    for required in (
        "swift_scifi/data/corpus/zh/lu_xun_nahan.txt",
        "swift_scifi/data/corpus/en/wells_the_time_machine.txt",
        "swift_scifi/data/datasets/prompts.yaml",
        "swift_scifi/data/datasets/term_stopwords.yaml",
        "swift_scifi/data/principles/principles.yaml",
        "swift_scifi/data/configs/qwen3-8b-lora.yaml",
        "swift_scifi/data/configs/export/awq-4bit.yaml",
        "swift_scifi/data/configs/deploy/transformers.yaml",
    ):
        assert required in names, required
    assert not any(n.startswith(("tests/", "shared/")) for n in names)
