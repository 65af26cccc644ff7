"""The numba disk cache follows the code a kernel is built from (swift_scifi/jit.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from swift_scifi import jit

PACKAGE = Path(jit.__file__).resolve().parent


def test_every_kernel_module_uses_the_package_njit():
    """A kernel decorated with numba's own njit would cache by its file's timestamp only."""
    direct = re.compile(r"^\s*(from numba import .*\bnjit\b|.*\bnumba\.(njit|jit)\()", re.M)
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if p.name != "jit.py" and direct.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _fake_package(root: Path) -> None:
    (root / "text").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "text" / "__init__.py").write_text("")
    (root / "text" / "tables.py").write_text("TABLE = (1, 2, 3)\n")
    (root / "text" / "kernels.py").write_text("from .tables import TABLE\n")
    (root / "scorer.py").write_text("from .text import kernels\nimport numpy\n")
    (root / "other.py").write_text("from swift_scifi.text.tables import TABLE\n")


def test_hash_covers_every_imported_package_module(tmp_path, monkeypatch):
    """A change in a module that a kernel module imports, directly or through another module, gives the
    kernel module a new cache folder; a change in an unrelated module does not."""
    _fake_package(tmp_path)
    monkeypatch.setattr(jit, "PACKAGE", tmp_path)

    def hashes() -> dict[str, str]:
        jit._imports.cache_clear()
        jit.source_hash.cache_clear()
        return {n: jit.source_hash(tmp_path / n) for n in ("scorer.py", "text/kernels.py", "other.py")}

    before = hashes()
    assert jit._imports(tmp_path / "scorer.py") == (
        tmp_path / "text" / "__init__.py",
        tmp_path / "text" / "kernels.py",
    )
    (tmp_path / "text" / "tables.py").write_text("TABLE = (1, 2, 4)\n")
    after = hashes()
    assert all(after[n] != before[n] for n in before)  # transitive, relative and absolute imports
    (tmp_path / "other.py").write_text("from swift_scifi.text.tables import TABLE  # edited\n")
    last = hashes()
    assert last["scorer.py"] == after["scorer.py"] and last["other.py"] != after["other.py"]


def test_kernels_cache_under_their_source_hash(tmp_path):
    """A compiled kernel's index lands in ``$SCIFI_CACHE_DIR/numba/<hash of its sources>``, and
    ``NUMBA_CACHE_DIR`` moves the root."""
    from tests.conftest import subprocess_env

    script = (
        "import numpy as np\n"
        "from swift_scifi.text import profile\n"
        "print(profile.hash_codepoints(np.array([65, 66], dtype=np.uint32)))\n"
    )
    expected = jit.source_hash(PACKAGE / "text" / "profile.py")
    for env, root in (
        ({"SCIFI_CACHE_DIR": str(tmp_path / "a")}, tmp_path / "a" / "numba"),
        ({"NUMBA_CACHE_DIR": str(tmp_path / "b")}, tmp_path / "b" / "swift_scifi"),
    ):
        proc = subprocess.run(
            [sys.executable, "-c", script],
            env=subprocess_env(**env),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        index = list((root / expected).rglob("profile.hash_codepoints-*.nbi"))
        assert len(index) == 1, sorted(p.name for p in root.rglob("*"))[:20]
