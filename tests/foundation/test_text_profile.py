"""The compiled text profile (words, sentences, paragraphs, narration markers) gives the same units as the
regex-based reference forms kept here, on the real corpus and on punctuation-heavy random text."""

from __future__ import annotations

import random
import re
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from swift_scifi.rewards.narration import FIRST_PERSON, PAST, PRESENT, narration_thirds
from swift_scifi.rewards.view import TextView
from swift_scifi.text import count_length, detect_lang, split_sentences
from swift_scifi.text.profile import MARK_KEYS, OPEN_PUNCT, codepoints, hard_wrapped, hash_codepoints
from swift_scifi.text.scripts import CJK_RE, WORD_RE

_OPENING_RE = {
    "zh": re.compile(f"[{re.escape(OPEN_PUNCT)}]*(.{{0,2}})", re.DOTALL),
    "en": re.compile(f"[{re.escape(OPEN_PUNCT)}]*([A-Za-z\u00c0-\u024f']*)"),
}
_QUOTED_RE = re.compile(r"“[^”]*”|「[^」]*」|\"[^\"\n]*\"|『[^』]*』")
_TOKEN_RE = re.compile(r"\w+")
_CHUNK_RE = re.compile(r"\S+")


def _h(s: str) -> int:
    return int(hash_codepoints(codepoints(s)))


def _ref_paragraphs(text: str, lang: str) -> list[str]:
    blocks = [b for b in text.replace("\r", "").split("\n\n") if b.strip()]
    if len(blocks) <= 1:
        lines = [ln for ln in map(str.strip, text.split("\n")) if ln]
        if not hard_wrapped(lines):
            return lines
    return [" ".join(b.split()) if lang == "en" else "".join(b.split()) for b in blocks]


def _ref_thirds(text: str, lang: str) -> list[list[int]]:
    """Per third of the narration (by start position): en units/first/past/present, zh chars/我."""
    narr = _QUOTED_RE.sub(" ", text.lower())
    n = len(narr)

    def third(i: int) -> int:
        return 0 if i < n // 3 else 1 if i < 2 * n // 3 else 2

    if lang == "zh":
        out = [[n // 3, 0], [2 * n // 3 - n // 3, 0], [n - 2 * n // 3, 0]]
        for m in re.finditer("我", narr):
            out[third(m.start())][1] += 1
        return out
    out = [[0, 0, 0, 0] for _ in range(3)]
    for m in _CHUNK_RE.finditer(narr):
        out[third(m.start())][0] += 1
    first, past, present = set(FIRST_PERSON.split()), set(PAST.split()), set(PRESENT.split())
    tokens = list(_TOKEN_RE.finditer(narr))
    for k, m in enumerate(tokens):
        w, t = m.group(), third(m.start())
        out[t][1] += w in first
        out[t][2] += w in past or (len(w) >= 5 and w.endswith("ed"))
        out[t][3] += w in present
        if w in ("he", "she", "it") and k + 1 < len(tokens):
            nxt = tokens[k + 1]
            verb = nxt.group()
            gap = narr[m.end() : nxt.start()]
            if (
                gap
                and not gap.strip()
                and re.fullmatch("[a-z]+s", verb)
                and verb not in present
                and verb != "was"
            ):
                out[t][3] += 1
    return out


def _check(text: str, lang: str) -> None:
    view = TextView(text, lang)
    assert TextView(text).lang == detect_lang(text, sample_chars=1000)
    words = WORD_RE.findall(text)
    assert view.cjk_count == len(CJK_RE.findall(text))
    assert view.lower == text.lower()
    assert [view.count(m) for m in MARK_KEYS] == [text.count(m) for m in MARK_KEYS]
    assert view.length == count_length(text)
    assert view.word_hashes.tolist() == [_h(w) for w in words]
    sents = split_sentences(text, lang)
    assert view.sentences.lengths.tolist() == [len(s) for s in sents]
    openings = [_OPENING_RE[lang].match(s).group(1) for s in sents]
    assert view.sentences.openings.tolist() == [_h(o) if o else 0 for o in openings]
    paras = _ref_paragraphs(text, lang)
    assert view.paragraphs.lengths.tolist() == [len(p) for p in paras]
    assert view.paragraphs.spaces.tolist() == [p.count(" ") for p in paras]
    same = [paras.index(p) for p in paras]
    hashes = view.paragraphs.hashes.tolist()
    assert [hashes.index(h) for h in hashes] == same
    assert narration_thirds(view.codepoints, lang).tolist() == _ref_thirds(text, lang)


def _windows(shared_corpus, lang: str, n: int, size: int) -> list[str]:
    rng = random.Random(7)
    texts = [p.read_text(encoding="utf-8") for p in sorted((shared_corpus / lang).glob("*.txt"))]
    out = []
    for k in range(n):
        src = texts[k % len(texts)]
        s = rng.randrange(max(1, len(src) - size))
        out.append(src[s : s + size])
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_profile_matches_regex_forms_on_real_corpus(shared_corpus, lang):
    for text in _windows(shared_corpus, lang, 200, 4000):
        _check(text, lang)


def test_hard_wrapped_text_without_blank_lines_is_one_paragraph(shared_corpus):
    """Lines cut at a fixed width (Gutenberg style, no blank line) are one paragraph, as the same text is
    among other blocks; a paragraph per line (lengths that leave room for the next word) stays lines."""
    text = (shared_corpus / "en" / "wells_the_time_machine.txt").read_text(encoding="utf-8")
    para = " ".join(max(text.split("\n\n"), key=len).split())
    wrapped = textwrap.fill(para, 70)
    assert wrapped.count("\n") >= 5
    assert TextView(wrapped, "en").paragraphs.lengths.tolist() == [len(para)]
    assert TextView(wrapped + "\n\nMore.", "en").paragraphs.lengths.tolist() == [len(para), 5]
    zh = textwrap.fill("星港的灯一盏接一盏地熄灭了。" * 12, 30)
    assert TextView(zh, "zh").paragraphs.lengths.tolist() == [len(zh.replace("\n", ""))]
    lines = ["He waited.", "The ship turned toward the dark side of the moon, slowly.", "Nothing came."] * 3
    assert TextView("\n".join(lines), "en").paragraphs.lengths.tolist() == [len(x) for x in lines]


_ALPHABET = "ab I he s was ed ...--``。。.!?\"'”’“)]\n\n\t\r\u3000。！？…」「『』我林雪-’ÀÉ"


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60), st.sampled_from(["zh", "en"]))
def test_profile_matches_regex_forms_on_punctuation_heavy_text(text, lang):
    _check(text, lang)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_profile_units_on_any_text(text):
    view = TextView(text)
    assert view.lower == (view.text.lower() if len(view.text.lower()) == len(view.text) else view.text)
    assert view.length == count_length(view.text)
    assert view.sentences.lengths.tolist() == [len(s) for s in split_sentences(view.text, view.lang)]


_BOUNDS_SCRIPT = """
import random
from swift_scifi.rewards import TextView, principles_report, repetition_report, slop_report
from swift_scifi.rewards.term_consistency import term_report
alphabet = "ab I he s was ed .!?\\"'”’“)]\\n\\n\\t\\r\\u3000。！？…」「『』我林雪-’ÀÉ—"
dense = "?…！。\\n "  # texts of many one-character sentences and paragraphs
rng = random.Random(0)
for k in range(600):
    chars = dense if k % 3 == 0 else alphabet
    text = "".join(rng.choice(chars) for _ in range(rng.randrange(0, 40)))
    view = TextView(text, ("zh", "en")[k % 2])  # kernels called directly: scorers never raise
    principles_report(view), repetition_report(view), slop_report(view), term_report(text, ["林雪"])
print("ok")
"""


def test_kernels_stay_in_bounds():
    """Every kernel, run as plain Python (NUMBA_DISABLE_JIT=1: numpy checks every index, where compiled
    code would silently write past an array), on short punctuation-heavy texts."""
    import subprocess
    import sys

    from tests.conftest import subprocess_env

    env = subprocess_env(NUMBA_DISABLE_JIT="1")
    proc = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _BOUNDS_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-3000:]


def test_view_lower_is_str_lower_for_every_code_point():
    """TextView.lower takes a bytes shortcut when only A-Z can change; it must equal ``str.lower`` (or the
    text itself where lowering changes the length) whatever non-ASCII character the text holds: each
    character that ``str.lower`` changes, and all the others together in one text."""
    chars = [chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF]
    changed = [ch for ch in chars if ch.lower() != ch]
    texts = [f"Ab “Kara” — {ch} 星港" for ch in changed] + [
        "Ab " + "".join(ch for ch in chars if ch.lower() == ch)
    ]
    for text in texts + [t[3:].replace("K", "k") for t in texts]:  # with and without A-Z
        low = text.lower()
        for lang in ("en", "zh"):
            assert TextView(text, lang).lower == (low if len(low) == len(text) else text), text[:20]


def test_range_predicates_agree_with_the_class_table():
    """``is_cjk``, ``is_latin_letter``, ``is_word_char`` and ``is_space`` test ranges before the class table
    (the ideographs never load it): the same answers as ``char_class(c) & bit`` for every code point up to
    the end of CJK Ext F, and the class table's sets themselves as the reference regexes define them."""
    from swift_scifi.text import profile as p

    for c in range(0x2F000):
        bits = p.char_class(c)
        got = (p.is_cjk(c), p.is_latin_letter(c), p.is_word_char(c), p.is_space(c))
        assert got == (
            bool(bits & p.CJK),
            bool(bits & p.LATIN),
            bool(bits & (p.LATIN | p.DIGIT)),
            bool(bits & p.SPACE),
        ), hex(c)
        assert got[0] == bool(CJK_RE.fullmatch(chr(c))) and got[3] == chr(c).isspace(), hex(c)
