"""Check a preset YAML against ms-swift 4.6's own argument dataclasses: names and value types.

``swift sft/rlhf/rollout/export/deploy`` classes are imported (CPU-safe). ``swift.megatron.arguments`` imports
megatron-core and transformer-engine, so the Megatron classes are read from ms-swift's source with ``ast``
and only their non-Megatron base (``BaseArguments``) is imported. Importing this module is light; the
functions import ms-swift.
"""

from __future__ import annotations

import ast
import dataclasses
import types
import typing
from functools import cache
from pathlib import Path
from typing import Any

SWIFT_CLASSES = {
    ("swift", "sft"): "SftArguments",
    ("swift", "pt"): "PretrainArguments",
    ("swift", "rlhf"): "RLHFArguments",
    ("swift", "rollout"): "RolloutArguments",
    ("swift", "export"): "ExportArguments",
    ("swift", "deploy"): "DeployArguments",
    ("swift", "infer"): "InferArguments",
    ("swift", "eval"): "EvalArguments",
}
MEGATRON_CLASSES = {
    ("megatron", "sft"): "MegatronSftArguments",
    ("megatron", "pt"): "MegatronPretrainArguments",
    ("megatron", "rlhf"): "MegatronRLHFArguments",
    ("megatron", "export"): "MegatronExportArguments",
}


def _swift_root() -> Path:
    import importlib.util

    return Path(importlib.util.find_spec("swift").origin).parent


@cache
def swift_fields(class_name: str) -> dict[str, Any]:
    """{field name: type} of an importable ms-swift argument dataclass."""
    import swift.arguments as args

    cls = getattr(args, class_name)
    hints = typing.get_type_hints(cls)
    return {f.name: hints.get(f.name, f.type) for f in dataclasses.fields(cls)}


def _class_defs(folder: Path) -> dict[str, ast.ClassDef]:
    out = {}
    for file in sorted(folder.glob("*.py")):
        for node in ast.parse(file.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                out[node.name] = node
    return out


def _eval_annotation(node: ast.expr) -> Any:
    import torch

    namespace = {
        name: getattr(typing, name)
        for name in ("Any", "Dict", "List", "Literal", "Optional", "Tuple", "Union")
    }
    namespace.update(torch=torch, dict=dict, list=list, str=str, int=int, float=float, bool=bool)
    return eval(compile(ast.Expression(node), "<annotation>", "eval"), namespace)  # noqa: S307 (ms-swift source)


@cache
def megatron_fields(class_name: str) -> dict[str, Any]:
    """{field name: type} of a ``swift.megatron.arguments`` class, read from source without importing it."""
    defs = _class_defs(_swift_root() / "megatron" / "arguments")
    fields: dict[str, Any] = {}

    def walk(name: str) -> None:
        node = defs.get(name)
        if node is None:  # a base outside swift.megatron (BaseArguments): importable on CPU
            fields.update({k: v for k, v in swift_fields(name).items() if k not in fields})
            return
        own = {
            t.target.id: _eval_annotation(t.annotation)
            for t in node.body
            if isinstance(t, ast.AnnAssign) and isinstance(t.target, ast.Name)
        }
        fields.update({k: v for k, v in own.items() if k not in fields})
        for base in node.bases:
            walk(base.id if isinstance(base, ast.Name) else ast.unparse(base))

    walk(class_name)
    return fields


def fields_for(program: str, sub: str) -> dict[str, Any]:
    """The argument fields of ``program sub`` (e.g. ``("megatron", "sft")``)."""
    if (program, sub) in MEGATRON_CLASSES:
        return megatron_fields(MEGATRON_CLASSES[program, sub])
    return swift_fields(SWIFT_CLASSES[program, sub])


def value_matches(tp: Any, value: Any) -> bool:
    """Whether a YAML value is acceptable for a field typed ``tp`` once ms-swift turns it into CLI flags.

    A scalar is accepted for a list field (``--dataset x``); a list is accepted only for list fields.
    """
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(value_matches(a, value) for a in args)
    if tp is type(None):
        return value is None
    if origin is typing.Literal:
        return any(type(value) is type(a) and value == a for a in args)
    if origin in (list, tuple) or tp in (list, tuple):
        item = args[0] if args else Any
        values = value if isinstance(value, list) else [value]
        return all(value_matches(item, v) for v in values)
    if isinstance(value, list):
        return False
    if origin is dict or tp is dict:
        return isinstance(value, dict)
    return _scalar_matches(tp, value)


def _scalar_matches(tp: Any, value: Any) -> bool:
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    return isinstance(value, str)  # other classes (torch.dtype) are given by name


def load_preset(path: str | Path) -> dict:
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a preset must be a YAML mapping")
    return data


def preset_problems(path: str | Path) -> list[str]:
    """Every unknown key, mistyped value or malformed ENV block of a preset (empty: valid)."""
    from .launch import read_launch_header

    program, sub = read_launch_header(Path(path))
    known = fields_for(program, sub)
    problems = []
    for key, value in load_preset(path).items():
        if key == "ENV":
            if not isinstance(value, dict) or any(isinstance(v, (list, dict)) for v in value.values()):
                problems.append("ENV must map variable names to scalars")
        elif key not in known:
            problems.append(f"{key}: not an argument of {program} {sub}")
        elif not value_matches(known[key], value):
            problems.append(f"{key}: {value!r} does not fit type {known[key]}")
    return problems
