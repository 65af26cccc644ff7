"""numba's ``njit`` for swift-scifi's kernels, with a disk cache that follows the code a kernel is built from.

numba keys a cached kernel by the timestamp of its own file only. A kernel that calls another module's kernel,
or reads its tables (``fluency.py`` calls ``text/profile.py``'s), would keep stale machine code when only that
other file changes: an editable install after ``git pull``, or a developer's edit. Here each module's kernels are
cached under ``<root>/numba/<hash>``, where the hash covers the source of the module and of every swift_scifi
module it imports, transitively; a change in any of them starts a fresh cache (compiled again on first use,
15-30 s for the whole suite). ``<root>`` is ``$NUMBA_CACHE_DIR`` when set, else ``$SCIFI_CACHE_DIR`` or
``~/.cache/swift_scifi``. An unwritable root only costs the compile: numba then caches beside the sources.
Old hash folders are never read again and are safe to delete.
"""

from __future__ import annotations

import ast
import hashlib
import os
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numba

PACKAGE = Path(__file__).resolve().parent


def cache_root() -> Path:
    """``$NUMBA_CACHE_DIR/swift_scifi``, else ``$SCIFI_CACHE_DIR/numba`` or ``~/.cache/swift_scifi/numba``."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"]) / "swift_scifi"
    root = os.environ.get("SCIFI_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "swift_scifi")
    return Path(root) / "numba"


def _module_file(name: str) -> Path | None:
    """The source file of package module ``swift_scifi.a.b`` (a module or a package's ``__init__``)."""
    parts = name.split(".")[1:]
    base = PACKAGE.joinpath(*parts)
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@cache
def _imports(path: Path) -> tuple[Path, ...]:
    """The swift_scifi modules that ``path`` imports anywhere in its body (absolute or relative imports)."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return ()
    rel = path.relative_to(PACKAGE).with_suffix("").parts
    package = ["swift_scifi", *(rel[:-1] if rel[-1] != "__init__" else rel[:-1])]
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names if a.name.split(".")[0] == "swift_scifi"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "swift_scifi":
                mod = node.module
            else:
                continue
            names.append(mod)
            names += [f"{mod}.{a.name}" for a in node.names]  # ``from . import profile``
    found = {p for p in map(_module_file, names) if p is not None and p != path}
    return tuple(sorted(found))


@cache
def source_hash(path: Path) -> str:
    """sha256 (16 hex digits) over ``path`` and every package module it imports, transitively."""
    seen: set[Path] = set()
    stack = [path]
    while stack:
        p = stack.pop()
        if p not in seen:
            seen.add(p)
            stack.extend(_imports(p))
    digest = hashlib.sha256()
    for p in sorted(seen):
        digest.update(str(p.relative_to(PACKAGE)).encode() + b"\0")
        digest.update(p.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _cache_dir_for(func: Callable) -> str | None:
    module = sys.modules.get(func.__module__)
    file = getattr(module, "__file__", None)
    if not file or not Path(file).resolve().is_relative_to(PACKAGE):
        return None
    return str(cache_root() / source_hash(Path(file).resolve()))


def njit(func: Callable | None = None, **options):
    """``numba.njit(cache=True, **options)``, caching under this module's source-hash folder."""
    options.setdefault("cache", True)

    def decorate(f: Callable):
        folder = _cache_dir_for(f) if options["cache"] else None
        previous = numba.config.CACHE_DIR
        if folder:
            numba.config.CACHE_DIR = folder  # read once, when numba sets up the kernel's cache
        try:
            return numba.njit(**options)(f)
        finally:
            numba.config.CACHE_DIR = previous

    return decorate(func) if func is not None else decorate
