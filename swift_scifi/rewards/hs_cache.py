"""Compiled Hyperscan databases, kept on disk so that a process does not compile the same patterns again.

Compiling the principle library, slop lists and format rules takes 4-10 s per language on 2 CPU cores, and
every process that scores pays it: each ``swift`` run that loads the plugin, ``swift-scifi eval``, ``serve``,
``synth``. The serialized database loads in under a millisecond. Files live in
``$SCIFI_CACHE_DIR/hyperscan`` (default ``~/.cache/swift_scifi/hyperscan``), one per compile input, named by
a hash of the expressions, ids, flags, the Hyperscan version and the machine; a file that does not load (another
CPU, a damaged file) is compiled again and replaced, and an unwritable cache only costs the compile.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger("swift_scifi.rewards")


def cache_dir() -> Path:
    """``$SCIFI_CACHE_DIR/hyperscan``, or ``~/.cache/swift_scifi/hyperscan``."""
    root = os.environ.get("SCIFI_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "swift_scifi")
    return Path(root) / "hyperscan"


def _version(hs) -> str:
    try:
        from importlib.metadata import version

        return version("hyperscan")
    except Exception:  # noqa: BLE001 - an unknown version only narrows the key
        return getattr(hs, "__version__", "?")


@lru_cache(maxsize=1)
def _cpu_features() -> str:
    """The CPU's feature flags (Linux ``/proc/cpuinfo``), hashed: Hyperscan tunes a database to them, so a
    home folder shared by machines of different CPUs keeps one database per CPU kind."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            flags = next((line for line in f if line.startswith("flags")), "")
    except OSError:
        flags = ""
    return hashlib.sha256(flags.encode()).hexdigest()[:16]


def cache_key(hs, expressions: Sequence[bytes], ids: Sequence[int], flags: Sequence[int]) -> str:
    """A hex digest of everything the compiled block-mode database depends on."""
    h = hashlib.sha256()
    h.update(
        f"{_version(hs)}|{platform.machine()}|{platform.processor()}|{_cpu_features()}|{len(expressions)}|".encode()
    )
    for expr, i, f in zip(expressions, ids, flags, strict=True):
        h.update(len(expr).to_bytes(4, "little") + expr + i.to_bytes(4, "little") + f.to_bytes(4, "little"))
    return h.hexdigest()


def compile_block(hs, expressions: list[bytes], ids: list[int], flags: list[int]):
    """A block-mode ``hs.Database`` of ``expressions``: read from the cache, else compiled and written."""
    path = cache_dir() / f"{cache_key(hs, expressions, ids, flags)}.hsdb"
    try:
        db = hs.loadb(path.read_bytes(), hs.HS_MODE_BLOCK)
        db.scratch = hs.Scratch(db)  # a loaded database comes without scratch space
        return db
    except FileNotFoundError:
        pass
    except Exception as err:  # noqa: BLE001 - another CPU's or a damaged file: compile again
        logger.debug("hyperscan cache %s not loaded (%s); compiling", path, err)
    db = hs.Database(mode=hs.HS_MODE_BLOCK)
    db.compile(expressions=expressions, ids=ids, flags=flags)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(hs.dumpb(db))
        tmp.replace(path)
        _prune(path.parent)
    except OSError as err:
        logger.debug("hyperscan cache not written: %s", err)
    return db


MAX_CACHE_BYTES = 256 * 2**20  # one principle library with its slop and format rules takes ~8 MB


def _prune(folder: Path, limit: int = MAX_CACHE_BYTES) -> None:
    """Delete the least recently written databases until the folder holds at most ``limit`` bytes."""
    files = sorted(folder.glob("*.hsdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    total = 0
    for f in files:
        total += f.stat().st_size
        if total > limit:
            f.unlink(missing_ok=True)
