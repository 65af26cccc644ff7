"""No reward module imports another in a cycle (module-level imports), and the slop and principle scorers
share their pattern pass through a module neither owns."""

from __future__ import annotations

import ast
from pathlib import Path

import swift_scifi.rewards as rewards_pkg

PKG = Path(rewards_pkg.__file__).parent


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in PKG.glob("*.py"):
        deps = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # module level only
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    deps.add(node.module.split(".")[0])
                else:
                    deps.update(a.name for a in node.names)
        graph[path.stem] = {d for d in deps if (PKG / f"{d}.py").exists()}
    return graph


def test_reward_modules_import_without_cycles():
    graph, state = _graph(), {}

    def visit(mod: str, stack: list[str]) -> None:
        state[mod] = "open"
        for dep in graph[mod]:
            assert state.get(dep) != "open", f"import cycle: {' -> '.join([*stack, mod, dep])}"
            if dep not in state:
                visit(dep, [*stack, mod])
        state[mod] = "done"

    for mod in graph:
        if mod not in state:
            visit(mod, [])


def test_slop_and_principles_share_the_scan_and_not_each_other():
    graph = _graph()
    assert "scan" in graph["slop"] and "scan" in graph["principles"]
    assert "principles" not in graph["slop"] and "slop" not in graph["principles"]
    assert not {"slop", "principles"} & graph["scan"]
