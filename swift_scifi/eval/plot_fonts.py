"""A CJK-capable font for chart labels, when the system has one (Noto CJK, WenQuanYi, Source Han, ...).

matplotlib's font list is cached on first use, so a font installed later is not in it: the usual font folders
are searched too and a match is registered. Without any CJK font, Chinese labels fall back to the default
font (boxes), with one log line instead of a warning per missing glyph.
"""

from __future__ import annotations

import glob
import logging
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache

logger = logging.getLogger("swift_scifi.eval")

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
_FILE_PATTERNS = ("*NotoSansCJK*", "*NotoSansSC*", "*SourceHanSans*", "wqy-microhei*", "wqy-zenhei*",
                  "DroidSansFallback*", "uming*")  # fmt: skip
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"),
              os.path.expanduser("~/.local/share/fonts"), "/Library/Fonts", "C:/Windows/Fonts")  # fmt: skip
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def has_cjk(texts: Iterable[str]) -> bool:
    return any(_CJK_RE.search(t or "") for t in texts)


@cache
def cjk_family() -> str | None:
    """The name of an installed CJK-capable font family, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    for folder in _FONT_DIRS:
        for pattern in _FILE_PATTERNS:
            for path in sorted(glob.glob(os.path.join(folder, "**", pattern), recursive=True)):
                try:
                    font_manager.fontManager.addfont(path)
                    return font_manager.FontProperties(fname=path).get_name()
                except (OSError, RuntimeError, ValueError):
                    continue
    return None


@cache
def _warn_no_font() -> None:
    logger.warning(
        "no CJK font found: Chinese chart labels will show as boxes "
        "(install one, e.g. `apt-get install fonts-wqy-microhei` or `fonts-noto-cjk`)"
    )


@contextmanager
def plot_context(labels: Iterable[str] = ()) -> Iterator[str | None]:
    """rcParams with a CJK font first in the sans-serif list (when there is one); yields its name."""
    import matplotlib

    family = cjk_family()
    if family is None and has_cjk(labels):
        _warn_no_font()
    sans = [family] if family else []
    with matplotlib.rc_context(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [*sans, *matplotlib.rcParams["font.sans-serif"]],
            "axes.unicode_minus": False,
        }  # fmt: skip
    ):
        yield family
