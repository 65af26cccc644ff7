"""docs/licenses.md names every dependency that pyproject.toml declares, and every shipped data folder."""

from __future__ import annotations

import re

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest's own dependency
    import tomli as tomllib

from tests.conftest import REPO


def _names(specs: list[str]) -> set[str]:
    return {re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].strip().lower() for spec in specs}


def test_every_declared_dependency_has_a_licence_row():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = _names(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared |= _names(extra)
    page = (REPO / "docs" / "licenses.md").read_text(encoding="utf-8").lower()
    rows = "\n".join(line for line in page.splitlines() if line.startswith("|"))
    missing = sorted(
        name for name in declared if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", rows)
    )
    assert missing == []


def test_every_shipped_data_folder_is_listed():
    page = (REPO / "docs" / "licenses.md").read_text(encoding="utf-8")
    folders = sorted(p.name for p in (REPO / "swift_scifi" / "data").iterdir() if p.is_dir())
    assert [f for f in folders if f"`{f}/" not in page] == []
