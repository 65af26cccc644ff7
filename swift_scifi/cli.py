"""The ``swift-scifi`` command. Each module in :mod:`swift_scifi.commands` adds its own subcommands.

A command module defines ``register(app: typer.Typer) -> None``; modules are found by name, so adding a
command never touches this file. Modules must import heavy libraries (torch, ms-swift) inside the command.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from . import commands

app = typer.Typer(
    name="swift-scifi",
    help="Sci-fi writing pipeline for ms-swift: datasets, rewards, presets, evaluation, serving.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root() -> None:
    """Sci-fi writing pipeline for ms-swift."""


def _load_commands() -> None:
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(app)


_load_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
