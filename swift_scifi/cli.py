"""The ``swift-scifi`` command. Each module in :mod:`swift_scifi.commands` adds its own subcommands.

A command module defines ``register(app: typer.Typer) -> None``; modules are found by name, so adding a
command never touches this file. Modules must import heavy libraries (torch, ms-swift) inside the command.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import typer

from . import __version__, commands

app = typer.Typer(
    name="swift-scifi",
    help="Sci-fi writing pipeline for ms-swift: datasets, rewards, presets, evaluation, serving.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"swift-scifi {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Sci-fi writing pipeline for ms-swift."""


def _plain_help() -> None:
    """Show click's plain help forms (``--out PATH``, ``--dry-run``, ``PRESET``) where typer >= 0.25 prints
    ``<path>``, ``<bool>`` and ``{preset}``. Older typers lack these methods and are left alone."""
    core = typer.core
    if not hasattr(core.TyperOption, "display_type_rich"):
        return

    def label(param, ctx) -> str:
        text = param.display_type(ctx) if hasattr(param, "display_type") else ""
        text = re.sub(r"^<(.*)>$", r"\1", text or "")
        text = re.sub(r"^list\[(.*)\]$", r"\1", text)  # a repeatable option: the flag is given again
        return {"str": "TEXT"}.get(text, text.replace("|", " | ").upper()) or "VALUE"

    def option_type(self, ctx):
        if self.is_flag or self.count:
            return None
        return self.metavar or label(self, ctx) + ("..." if self.nargs != 1 else "")

    core.TyperOption.display_type_rich = option_type
    if hasattr(core.TyperArgument, "_usage_display_name"):

        def usage_name(self) -> str:
            name = (self.metavar or self.name or "ARG").upper()
            name = name if self.required else f"[{name}]"
            return name + ("..." if self.nargs != 1 else "")

        core.TyperArgument._usage_display_name = usage_name
        core.TyperArgument._rich_display_name = lambda self: (self.metavar or self.name or "ARG").upper()
        core.TyperArgument.display_type_rich = lambda self, ctx: None


def _load_commands() -> None:
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(app)


def _reflow_help(t: typer.Typer) -> None:
    """Join the wrapped lines of each paragraph of every command's docstring: rich keeps the line breaks of
    a help text's later paragraphs, so a docstring wrapped at 110 columns printed as ragged lines."""
    for c in t.registered_commands:
        doc = inspect.getdoc(c.callback) if c.help is None and c.callback else c.help
        if doc:
            c.help = "\n\n".join(" ".join(p.split()) for p in doc.split("\n\n"))
    for g in t.registered_groups:
        _reflow_help(g.typer_instance)


_plain_help()
_load_commands()
_reflow_help(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
