"""Build the ``swift``/``megatron`` command for a preset YAML, with the scifi plugin's absolute path filled in.

A preset's first line names its command: ``# launch: swift sft`` (or ``swift rlhf``, ``swift rollout``,
``swift export``, ``swift deploy``, ``megatron sft``). Presets name no plugin path: a relative one breaks
outside the checkout, so :func:`build_command` always adds the installed shim's absolute path. ms-swift reads the YAML itself when it is the first argument after the subcommand, and
flags after it override the YAML's values (``swift/cli/main.py: parse_yaml_args`` puts the YAML's flags
first; argparse keeps the last occurrence).
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

HEADER_RE = re.compile(r"^#\s*launch:\s*(swift|megatron)\s+([a-z][a-z_-]*)\s*$", re.MULTILINE)
PROGRAMS = {
    "swift": {"sft", "pt", "rlhf", "rollout", "infer", "deploy", "export", "eval"},
    "megatron": {"sft", "pt", "rlhf", "export"},
}


class PresetError(ValueError):
    """The preset is missing, or has no valid ``# launch:`` header."""


def configs_dir() -> Path:
    """The presets: ``swift_scifi/data/configs``, a link to the checkout's ``configs/`` that wheels ship as files."""
    return (Path(__file__).resolve().parent.parent / "data" / "configs").resolve()


def preset_names() -> list[str]:
    """Every packaged preset by the name ``launch`` accepts: ``qwen3-8b-lora``, ``export/awq-4bit``, ..."""
    root = configs_dir()
    return sorted(p.relative_to(root).with_suffix("").as_posix() for p in root.rglob("*.yaml"))


def resolve_preset(preset: str) -> Path:
    """A path to a YAML file, or a packaged preset name (``qwen3-8b-lora``, ``deploy/vllm``)."""
    path = Path(preset)
    if path.is_file():
        return path.resolve()
    name = preset.removeprefix("configs/")
    named = configs_dir() / (name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    if named.is_file():
        return named
    raise PresetError(f"preset not found: {preset!r} (not a file, nor one of: {', '.join(preset_names())})")


def read_launch_header(path: Path) -> tuple[str, str]:
    """(program, subcommand) from the preset's ``# launch:`` line."""
    text = Path(path).read_text(encoding="utf-8")
    match = HEADER_RE.search(text.split("\n\n", 1)[0])
    if not match:
        raise PresetError(f"{path}: first comment block needs a line like '# launch: swift sft'")
    program, sub = match.groups()
    if sub not in PROGRAMS[program]:
        raise PresetError(f"{path}: '{program} {sub}' is not an ms-swift command")
    return program, sub


def program_path(program: str) -> str:
    """The console script beside this interpreter (the venv's), else the one on PATH."""
    local = Path(sys.executable).parent / program
    if local.exists():
        return str(local)
    return shutil.which(program) or program


def with_plugin(extra: list[str], plugin: str) -> list[str]:
    """``extra`` with ``--external_plugins PLUGIN`` added, or PLUGIN joined to the user's own list."""
    if "--external_plugins" in extra:
        i = extra.index("--external_plugins") + 1
        return extra[:i] + [plugin] + extra[i:]
    return ["--external_plugins", plugin, *extra]


def build_command(preset: str, extra: list[str] | None = None, plugin: str | None = None) -> list[str]:
    """The argv that runs ``preset`` with ``extra`` swift flags and the scifi plugin."""
    from swift_scifi import plugin_path

    path = resolve_preset(preset)
    program, sub = read_launch_header(path)
    return [program_path(program), sub, str(path), *with_plugin(list(extra or []), plugin or plugin_path())]
