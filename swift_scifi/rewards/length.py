"""Length score S_l from LongWriter (Bai et al., 2024), scaled to [0, 1].

With produced length ``l`` (字 + English words) and required length ``t``:
``S_l = 1 - (l/t - 1) / 3`` when ``l > t`` and ``S_l = 1 - (t/l - 1) / 2`` when ``l < t``, clipped to [0, 1].
A range target ``(lo, hi)`` scores 1 inside it and measures against the nearer bound outside it;
"at least N" has no upper bound and "at most N" no lower bound.
"""

from __future__ import annotations

import re

from .config import DEFAULTS, RewardConfig

Target = tuple[float, float]  # (lo, hi); hi may be inf, lo may be 0

_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUM = r"(\d[\d,，]*(?:\.\d+)?\s*[kK千万]?|[零〇一二两三四五六七八九十百千万]+)"
_UNIT = r"\s*(?:个)?\s*(?:字|汉字|words?\b|word-?s?\b)"
_RANGE_RE = re.compile(_NUM + r"\s*(?:-|–|—|~|～|到|至|to)\s*" + _NUM + _UNIT, re.IGNORECASE)
_SINGLE_RE = re.compile(
    r"(至少|不少于|不低于|最少|at least|no (?:less|fewer) than|minimum of|"
    r"不超过|不多于|最多|至多|at most|no more than|maximum of|under|within|约|大约|大概|around|about|approximately)?"
    r"\s*" + _NUM + _UNIT + r"\s*(左右|以上|以内|以下|上下)?",
    re.IGNORECASE,
)
_AT_LEAST = (
    "至少",
    "不少于",
    "不低于",
    "最少",
    "at least",
    "no less than",
    "no fewer than",
    "minimum of",
    "以上",
)
_AT_MOST = (
    "不超过",
    "不多于",
    "最多",
    "至多",
    "at most",
    "no more than",
    "maximum of",
    "under",
    "within",
    "以内",
    "以下",
)


def parse_number(s: str) -> float | None:
    """'5000', '5,000', '3k', '1.5万', '三千', '两万五千' -> number; None when unreadable."""
    s = s.strip().replace(",", "").replace("，", "").replace(" ", "")
    mult = 1
    if s and s[-1] in "kK千万" and s[:-1].replace(".", "", 1).isdigit():
        mult = {"k": 1000, "K": 1000, "千": 1000, "万": 10000}[s[-1]]
        s = s[:-1]
    try:
        return float(s) * mult
    except ValueError:
        return _parse_zh_number(s)


def _parse_zh_number(s: str) -> float | None:
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            unit = _ZH_UNITS[ch]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
        else:
            return None
    value = total + section + (digit or 0)
    return float(value) if value > 0 else None


def parse_target(prompt: str) -> Target | None:
    """The length a prompt asks for: 约5000字, 2000-2500 words, 三千字左右, at least 800 words."""
    if not prompt:
        return None
    m = _RANGE_RE.search(prompt)
    if m:
        lo, hi = parse_number(m.group(1)), parse_number(m.group(2))
        if lo and hi:
            return (min(lo, hi), max(lo, hi))
    for m in _SINGLE_RE.finditer(prompt):
        n = parse_number(m.group(2))
        if not n:
            continue
        qual = f"{m.group(1) or ''}{m.group(3) or ''}".lower()
        if any(q in qual for q in _AT_LEAST):
            return (n, float("inf"))
        if any(q in qual for q in _AT_MOST):
            return (0.0, n)
        return (n, n)
    return None


def length_score(length: int, target: Target | int | float, cfg: RewardConfig = DEFAULTS) -> float:
    """S_l in [0, 1] of ``length`` units against ``target`` (a number or a (lo, hi) range)."""
    lo, hi = (target, target) if isinstance(target, (int, float)) else target
    if lo <= length <= hi:
        return 1.0
    if length > hi:
        s = 1 - (length / hi - 1) / cfg.length_over_scale
    else:
        s = 1 - (lo / max(length, 1e-9) - 1) / cfg.length_under_scale if length > 0 else 0.0
    return min(1.0, max(0.0, s))


def length_report(length: int, target: Target | int | float, cfg: RewardConfig = DEFAULTS) -> dict:
    """Length, target bounds, ratio to the nearer bound, and the score."""
    lo, hi = (target, target) if isinstance(target, (int, float)) else target
    ref = hi if length > hi else lo
    return {
        "length": length,
        "target": [lo, hi],
        "ratio": length / ref if ref else None,
        "score": length_score(length, target, cfg),
    }
