"""The built wheel carries everything an installed swift-scifi needs at run time (no checkout, no ../shared),
and, installed into a fresh virtual environment, works from a folder outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """``python -m build --wheel`` of this checkout (no isolation: the build backend is already installed)."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(REPO)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert "deprecat" not in (proc.stdout + proc.stderr).lower()  # e.g. the old `license = {text=...}` table
    return next(out.glob("swift_scifi-*.whl"))


def test_wheel_ships_shim_data_presets_and_license(wheel):
    zf = zipfile.ZipFile(wheel)
    names = set(zf.namelist())
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
        "swift_scifi/data/eval/scifi_example.jsonl",
        "swift_scifi/data/eval_protocols/writingbench.yaml",
        "swift_scifi/data/judge_prompts/score_writingbench.yaml",
    ):
        assert required in names, required
    assert not any(n.startswith(("tests/", "shared/")) for n in names)
    meta = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: Apache-2.0" in meta
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def _without_checkout() -> dict[str, str]:
    """This environment minus PYTHONPATH (which points at the checkout, whose metadata would shadow the wheel)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def _venv_with_wheel(root: Path, wheel: Path) -> Path:
    """A fresh venv holding only the wheel; its dependencies come from this environment through a .pth file
    (offline stand-in for pip resolving them from an index), added after the install so that pip does not
    see this checkout's editable install. Returns the venv's bin folder."""
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    site = Path(subprocess.check_output([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())  # fmt: skip
    ours = Path(subprocess.check_output([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        capture_output=True, text=True, timeout=300, env=_without_checkout(),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    (site / "zz_host_env.pth").write_text(str(ours) + "\n")
    return venv / "bin"


def test_installed_wheel_works_from_a_folder_outside_the_checkout(wheel, tmp_path):
    bindir = _venv_with_wheel(tmp_path, wheel)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = _without_checkout()
    env.update(
        HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PATH=f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    )

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([*args], cwd=work, env=env, capture_output=True, text=True, timeout=300)
        assert not check or proc.returncode == 0, f"{args}: {(proc.stdout + proc.stderr)[-3000:]}"
        return proc

    cli = str(bindir / "swift-scifi")
    assert run(cli, "--version").stdout.strip() == "swift-scifi 0.1.0"
    plugin = Path(run(cli, "plugin-path").stdout.strip())
    assert (
        plugin.is_file() and str(plugin).startswith(str(tmp_path / "venv")) and "site-packages" in str(plugin)
    )
    # every preset by name, with the installed shim's absolute path (no relative plugins/ path anywhere)
    check = (
        "import json, swift_scifi\n"
        "from swift_scifi.presets.launch import build_command, preset_names, resolve_preset\n"
        "out = {n: build_command(n) for n in preset_names()}\n"
        "assert all(str(resolve_preset(n)).startswith(swift_scifi.__path__[0]) for n in out)\n"
        "print(json.dumps({'file': swift_scifi.__file__, 'cmds': out}))\n"
    )
    got = json.loads(run(str(bindir / "python"), "-c", check).stdout)
    assert got["file"].startswith(str(tmp_path / "venv"))
    assert len(got["cmds"]) >= 17
    for name, cmd in got["cmds"].items():
        assert cmd[3:5] == ["--external_plugins", str(plugin)], name
        assert Path(cmd[2]).is_file() and "plugins/scifi_plugin.py" not in Path(cmd[2]).read_text(), name
    dry = run(cli, "launch", "deploy/transformers", "--dry-run", "--model", "m").stdout.split()
    assert dry[1] == "deploy" and dry[3:5] == ["--external_plugins", str(plugin)]
    # the bundled example queries, protocols and prompts resolve inside the installed package (the eval
    # itself is tested in tests/eval/; here a first-call numba compile in a fresh venv would cost ~30 s)
    data = (
        "import json\n"
        "from swift_scifi.eval.records import load_queries, resolve_queries\n"
        "from swift_scifi.eval.protocol import load_protocol\n"
        "from swift_scifi.judge.prompts import load_prompt\n"
        "wb = load_protocol('writingbench')\n"
        "print(json.dumps({'queries': str(resolve_queries('scifi-example')),\n"
        "  'n': len(load_queries(resolve_queries('scifi-example'))), 'prompt': load_prompt(wb.prompt).id}))\n"
    )
    got = json.loads(run(str(bindir / "python"), "-c", data).stdout)
    assert got == {"queries": got["queries"], "n": 6, "prompt": "score_writingbench"}
    assert got["queries"].startswith(str(tmp_path / "venv"))
    refused = run(cli, "build-dataset", "scifi-calib", "--lang", "ja", "--out", "x.jsonl", check=False)
    assert refused.returncode == 2 and "unsupported language" in refused.stderr
