"""Compile the numba kernels of the scorers ahead of the first batch, and say so when it takes a while.

The profile, repetition and narration passes are numba-compiled on first use and cached on disk
(``$SCIFI_CACHE_DIR/numba``, see :mod:`swift_scifi.jit`). A cold cache costs 15-30 s on the first scoring call.
That call now prints one line first (:func:`announce_compile`), and :func:`warmup` (run by ``register_rewards()``, i.e. at
ms-swift plugin load, and by ``swift-scifi warmup`` for an image build) pays the cost
before training starts.
"""

from __future__ import annotations

import os
import sys
import time

_announced = False


def _kernels() -> list:
    """The numba dispatchers every scoring call runs (the text profile and repetition passes): if they are
    compiled on disk, the first scoring call of this install has happened, and it compiled the rest too.
    (Imported lazily: this module must stay cheap to import.)"""
    from ..text import profile
    from . import repetition

    out = []
    for mod in (profile, repetition):
        for value in vars(mod).values():
            if (
                hasattr(value, "py_func")
                and hasattr(value, "_cache")
                and not value.targetoptions.get("inline")
            ):
                if value.py_func.__module__ == mod.__name__:
                    out.append(value)
    return out


def cache_is_cold() -> bool:
    """True when some scorer kernel has no compiled entry on disk yet (the next call compiles it)."""
    for disp in _kernels():
        if disp.overloads:
            continue
        try:
            index = disp._cache._cache_file._index_path  # numba internals; on failure assume cold
        except AttributeError:
            return True
        if not os.path.exists(index):
            return True
    return False


def announce_compile() -> None:
    """Print one line to stderr before the first scoring call of a process compiles the kernels."""
    global _announced
    if _announced:
        return
    _announced = True
    try:
        cold = cache_is_cold()
    except Exception:  # never let a diagnostic break scoring
        cold = False
    if cold:
        print(
            "swift-scifi: compiling the reward kernels (numba, first use after install; about 15-30 s, "
            "cached on disk afterwards)",
            file=sys.stderr,
            flush=True,
        )


def warmup() -> float:
    """Score a short zh and en text once so every kernel is compiled (or loaded from disk); seconds taken."""
    from .scoring import score_batch

    zh = "\n\n".join(["曲率引擎启动了。“我们走吧？”她说。我看着舰队离开港口…… 他沉默了。"] * 40)
    en = "\n\n".join(["The drive woke. “Go?” she asked. I watched the fleet leave... He said nothing."] * 40)
    t0 = time.perf_counter()
    score_batch([zh, en], terms=["曲率引擎", "Drive"], target_length=200)
    _warm_principles()
    return time.perf_counter() - t0


def _warm_principles() -> None:
    """Run every principle check, observed ones and the windowed paths included, so their kernels compile:
    texts longer than one counting window, with hits beyond the allowances, 20+ sentences, exclamations in
    the narration and an unclosed quotation."""
    from .principles import principle_violations
    from .view import TextView

    zh = "".join(f"他看见第{i}盏灯，眼中闪过一丝光。" for i in range(24)) + "飞船爆炸了！" * 8
    en = " ".join(f"He saw light {i}... It was gone!" for i in range(24))
    for text, lang in ((zh, "zh"), (en, "en")):
        body = "\n\n".join([text] * (2 if lang == "zh" else 6))
        principle_violations(TextView(body + "\n\n“走吧。他是谁？他在哪？他要什么？", lang))
