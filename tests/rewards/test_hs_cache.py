"""Compiled Hyperscan databases are kept on disk: a second PatternSet of the same patterns loads the file
(no compile) and finds the same matches; a damaged file is compiled again and replaced; the cache stays
under its size limit."""

from __future__ import annotations

import pytest

from swift_scifi.rewards import hs_cache
from swift_scifi.rewards.pattern_scan import Pattern, PatternSet, phrase

hyperscan = pytest.importorskip("hyperscan", reason="the Hyperscan engine is only installed on Linux x86_64")

PATTERNS = [
    Pattern(r"\bsaid\b", caseless=True),
    phrase("a testament to"),
    Pattern("曲率引擎"),
    Pattern(r"!{2,}"),
]
TEXT = "He SAID it was a testament to 曲率引擎!!! She said nothing. A testament to them!!"


def _files(tmp_path):
    return sorted((tmp_path / "hyperscan").glob("*.hsdb"))


def test_second_compile_loads_the_file_and_matches_the_same(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIFI_CACHE_DIR", str(tmp_path))
    first = PatternSet(PATTERNS, engine="hyperscan")
    files = _files(tmp_path)
    assert len(files) == 2  # one database for the non-overlapping patterns, one for the overlapping ones
    stamps = {f: f.stat().st_mtime_ns for f in files}
    compiled = []
    real_db = hyperscan.Database

    class Counting(real_db):
        def compile(self, *a, **k):
            compiled.append(1)
            return super().compile(*a, **k)

    monkeypatch.setattr(hyperscan, "Database", Counting)
    second = PatternSet(PATTERNS, engine="hyperscan")
    assert not compiled and {f: f.stat().st_mtime_ns for f in _files(tmp_path)} == stamps
    assert second.matches(TEXT)[0] == first.matches(TEXT)[0]
    assert len(second.matches(TEXT)[0]) == 7


def test_damaged_file_is_compiled_again_and_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIFI_CACHE_DIR", str(tmp_path))
    want = PatternSet(PATTERNS, engine="hyperscan").matches(TEXT)[0]
    for f in _files(tmp_path):
        f.write_bytes(f.read_bytes()[:100])
    assert PatternSet(PATTERNS, engine="hyperscan").matches(TEXT)[0] == want
    assert all(f.stat().st_size > 100 for f in _files(tmp_path))


def test_unwritable_cache_only_costs_the_compile(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SCIFI_CACHE_DIR", str(blocker))
    assert len(PatternSet(PATTERNS, engine="hyperscan").matches(TEXT)[0]) == 7


def test_prune_keeps_the_newest_files_under_the_limit(tmp_path):
    import os

    for i in range(5):
        f = tmp_path / f"{i}.hsdb"
        f.write_bytes(b"x" * 100)
        os.utime(f, (i, i))
    hs_cache._prune(tmp_path, limit=250)
    assert sorted(p.name for p in tmp_path.glob("*.hsdb")) == ["3.hsdb", "4.hsdb"]
