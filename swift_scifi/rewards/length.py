"""Length score S_l of LongWriter (Bai et al., 2024; THUDM/LongWriter ``evaluation/``), scaled to [0, 1].

**Counting** (:func:`longwriter_count`), as LongWriter's ``count_words``: the characters in U+4E00-U+9FFF
plus the runs of ASCII letters ``[a-zA-Z]+`` that stand between Unicode word boundaries (Python ``re``'s
``\\b``: a neighbour that is a letter, digit or ``_`` of any script, a CJK character included, joins the
run and it does not count). So ``don't`` and ``well-known`` are 2 words, ``café``, ``3D``, ``B2B`` and
``AI控制`` count no English word, and digits never count. Counted on the whole completion (``<think>``
removed) before any ``max_chars`` truncation.

**Score** with produced length ``l`` and required length ``t`` (LongWriter's ``score(x=t, y=l)`` / 100):
``S_l = 1 - (l/t - 1) / 3`` when ``l > t`` and ``S_l = 1 - (t/l - 1) / 2`` when ``l < t``, clipped to
[0, 1] (0 for ``l = 0``). The divisors 3 and 2 are ``length_over_scale`` / ``length_under_scale``.

**Targets** are ``(lo, hi)`` ranges: S_l is 1 inside and measured against the nearer bound outside.
``300-500 words`` -> (300, 500); ``约/about/左右 N`` and a bare ``N字``/``N-word``/``N词`` -> (N, N);
``N字以内``/``at most N``/``不超过 N`` -> (N·(1-s), N) and ``N字以上``/``at least N``/``or more`` ->
(N, N·(1+s)) with ``s = length_bound_slack`` (default 0.25): a bound is not a licence to write 20 字 for
"200字以内" nor 10× for "at least". ``每篇400字`` with ``五篇`` (or ``各写1000字`` with ``两部分``) is the total.
"""

from __future__ import annotations

import re

import numpy as np

from ..jit import njit
from ..text.profile import TOKEN, char_class, codepoints
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
_UNIT = r"[\s-]*(?:个)?\s*(?:汉字|中文字|字|单词|个词|词|words?\b)"
_RANGE_RE = re.compile(_NUM + r"\s*(?:-|–|—|~|～|〜|到|至|to)\s*" + _NUM + _UNIT, re.IGNORECASE)
_QUAL_BEFORE = (
    r"(至少|不少于|不低于|不得少于|最少|最多|至多|不超过|不多于|不得超过|控制在|约|大约|大概|"
    r"\b(?:at least|no (?:less|fewer|more) than|not (?:less|fewer|more) than|(?:a )?minimum of|at most|"
    r"not exceeding|(?:a )?maximum of|up to|under|within|less than|fewer than|more than|over|"
    r"approximately|roughly|around|about)\b)?"
)
_QUAL_AFTER = (
    r"\s*(左右|以上|以内|以下|之内|上下|或以上|或更多|(?:or|and) (?:more|above|over|less|fewer|below)\b)?"
)
_SINGLE_RE = re.compile(_QUAL_BEFORE + r"\s*" + _NUM + _UNIT + _QUAL_AFTER, re.IGNORECASE)
# 字数要求：2000左右 / 讲稿字数1400左右 / 字数在3000字以上 (the unit may be missing after the number)
_LABEL_RE = re.compile(
    r"字数(?:要求|限制|控制)?(?:\s|[:：为是在约大概]|控制在)*"
    + _QUAL_BEFORE
    + r"\s*"
    + _NUM
    + r"\s*(?:个)?(?:字)?"
    + _QUAL_AFTER
)
# qualifier phrase -> bound kind, checked in order (so "no more than" is not read as "more than")
_KINDS = (
    ("no more", "most"),
    ("not more", "most"),
    ("no less", "least"),
    ("no fewer", "least"),
    ("not less", "least"),
    ("not fewer", "least"),
    *((q, "least") for q in ("至少", "不少于", "不低于", "不得少于", "最少", "以上", "或以上", "或更多")),
    *((q, "least") for q in ("least", "minimum", "more", "over", "above")),
    *(
        (q, "most")
        for q in ("不超过", "不多于", "不得超过", "最多", "至多", "以内", "以下", "之内", "控制在")
    ),
    *((q, "most") for q in ("most", "maximum", "exceeding", "up to", "under", "within", "less", "fewer")),
    ("below", "most"),
)
# 每篇 / 各 before a number: the count of pieces (五篇, 两部分, 5 chapters) multiplies it
_EACH_RE = re.compile(r"(每[篇章段节部个首天份]|各[写自]?|\beach\b|\bper\b)[^。！？\n]{0,8}$", re.IGNORECASE)
_PIECES_RE = re.compile(
    r"(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:个)?(篇|章|部分|段|节|首|份)"
    r"|\b(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\s+(chapters|parts|sections|essays|stories|"
    r"entries|articles|posts|letters|poems|scenes)\b",
    re.IGNORECASE,
)
_MIN_TARGET = 10  # smaller numbers are not length requests (一字一句, 5 words of advice)
_EN_SMALL = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


@njit(cache=True)
def _longwriter_count(cp):
    """CJK in U+4E00-U+9FFF plus ``\\b[a-zA-Z]+\\b`` runs (Python's Unicode ``\\b``)."""
    n = cp.size
    total = 0
    i = 0
    while i < n:
        c = cp[i]
        if 0x4E00 <= c <= 0x9FFF:
            total += 1
            i += 1
            continue
        if (0x41 <= c <= 0x5A) or (0x61 <= c <= 0x7A):
            j = i
            while j < n and ((0x41 <= cp[j] <= 0x5A) or (0x61 <= cp[j] <= 0x7A)):
                j += 1
            before = i > 0 and char_class(cp[i - 1]) & TOKEN != 0
            after = j < n and char_class(cp[j]) & TOKEN != 0
            if not before and not after:
                total += 1
            i = j
            continue
        i += 1
    return total


def longwriter_count(text: str | np.ndarray) -> int:
    """LongWriter's ``count_words``: 字 in U+4E00-U+9FFF plus ``\\b[a-zA-Z]+\\b`` English words (units)."""
    cp = text if isinstance(text, np.ndarray) else codepoints(text)
    return int(_longwriter_count(cp)) if cp.size else 0


def view_units(view) -> int:
    """LongWriter units of a :class:`TextView`, from the fluency pass (one pass over the text for both)."""
    from .fluency import LW_UNITS, fluency_features

    return int(fluency_features(view)[LW_UNITS])


def full_units(view) -> int:
    """LongWriter units of the whole completion behind ``view`` (``view.derive(full_units)``): the view's
    own units, unless :mod:`prepare` recorded the count of the uncut text when ``max_chars`` cut it."""
    return view_units(view)


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


def _bound(n: float, qual: str, slack: float) -> Target:
    """(lo, hi) for ``n`` units under the qualifier words ``qual`` (none: exactly ``n``)."""
    qual = qual.lower()
    kind = next((k for q, k in _KINDS if q in qual), None)
    if kind == "most":
        return (n * (1 - slack), n)
    if kind == "least":
        return (n, n * (1 + slack))
    return (n, n)


def _pieces(prompt: str, start: int) -> int:
    """The number of pieces when the length at ``start`` is per piece (每篇 N 字 / each N words), else 1."""
    if not _EACH_RE.search(prompt[max(0, start - 12) : start]):
        return 1
    for m in _PIECES_RE.finditer(prompt):
        raw = m.group(1) or m.group(3)
        k = _EN_SMALL.get(raw.lower()) or parse_number(raw)
        if k and 1 < k <= 50:
            return int(k)
    return 1


def parse_target(prompt: str, cfg: RewardConfig = DEFAULTS) -> Target | None:
    """The (lo, hi) length a prompt asks for, in LongWriter units; None when it states none.

    The earliest statement wins: a range (``2000-2500 words``), a 字数 label (``字数要求：2000左右``) or a
    number with a unit and qualifiers (``约5000字``, ``100-word``, ``300词``, ``at least 800 words``)."""
    if not prompt:
        return None
    found: list[tuple[int, Target]] = []
    for m in _RANGE_RE.finditer(prompt):
        lo, hi = parse_number(m.group(1)), parse_number(m.group(2))
        if lo and hi and min(lo, hi) >= _MIN_TARGET:
            found.append((m.start(), (min(lo, hi), max(lo, hi))))
            break
    for rx in (_LABEL_RE, _SINGLE_RE):
        for m in rx.finditer(prompt):
            n = parse_number(m.group(2))
            if n and n >= _MIN_TARGET:
                qual = f"{m.group(1) or ''} {m.group(3) or ''}"
                found.append((m.start(2), _bound(n, qual, cfg.length_bound_slack)))
                break
    if not found:
        return None
    start, (lo, hi) = min(found, key=lambda f: f[0])
    k = _pieces(prompt, start)
    return (lo * k, hi * k)


def length_score(length: int, target: Target | int | float, cfg: RewardConfig = DEFAULTS) -> float:
    """S_l in [0, 1] of ``length`` units against ``target`` (a number or a (lo, hi) range)."""
    lo, hi = (target, target) if isinstance(target, (int, float)) else target
    if lo <= length <= hi:
        return 1.0
    if length > hi:
        s = 1 - (length / hi - 1) / cfg.length_over_scale
    else:
        s = 1 - (lo / length - 1) / cfg.length_under_scale if length > 0 else 0.0
    return min(1.0, max(0.0, s))


def length_report(length: int, target: Target | int | float, cfg: RewardConfig = DEFAULTS) -> dict:
    """Length (LongWriter units), target bounds, ratio to the nearer bound, and the score."""
    lo, hi = (target, target) if isinstance(target, (int, float)) else target
    ref = hi if length > hi else lo
    return {
        "length": length,
        "target": [lo, hi],
        "ratio": length / ref if ref else None,
        "score": length_score(length, target, cfg),
    }
