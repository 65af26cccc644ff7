"""The one-pass pattern scan: Hyperscan and the Python ``re`` fallback count the same hits per principle and
find the same slop phrases, on real corpus windows with planted defects; bad patterns are refused early."""

from __future__ import annotations

import random

import pytest

from swift_scifi.rewards import TextView
from swift_scifi.rewards import principles as P
from swift_scifi.rewards import scan as S
from swift_scifi.rewards.pattern_kernels import KERNELS
from swift_scifi.rewards.pattern_scan import (
    Pattern,
    PatternSet,
    char_offset,
    check_pattern,
    engine_name,
    phrase,
)
from swift_scifi.rewards.principle_spans import pattern_spans
from swift_scifi.text.profile import codepoints

hyperscan = pytest.importorskip("hyperscan", reason="the Hyperscan engine is only installed on Linux x86_64")

PLANTS = {
    "zh": [
        "作为一个AI，",
        "\n- 第一点\n",
        "她感到非常悲伤。",
        "总而言之，",
        "!!",
        "中文 空格",
        "好的,然后",
        "……",
        "…",
    ],
    "en": [
        "As an AI, ",
        "\n- item one\n",
        "She was very sad. ",
        "In conclusion, ",
        "!?",
        "quickly ",
        "a testament to",
    ],
}


def _windows(shared_corpus, lang: str, n: int) -> list[str]:
    rng = random.Random(11)
    books = [p.read_text(encoding="utf-8") for p in sorted((shared_corpus / lang).glob("*.txt"))]
    out = []
    for k in range(n):
        src = books[k % len(books)]
        s = rng.randrange(len(src) - 3000)
        text = src[s : s + 3000]
        for plant in rng.sample(PLANTS[lang], 3):
            at = rng.randrange(len(text))
            text = text[:at] + plant + text[at:]
        out.append(text)
    return out


def _counts(patterns: PatternSet, text: str) -> list[tuple[int, int, int]]:
    """(pattern, start, end) in characters. Overlap patterns by count only (Hyperscan gives their ends, re
    their starts); other regexes by start (Hyperscan reports a match at its first end, re at its greedy end)."""
    found, buf = patterns.matches(text)
    out = []
    for pid, start, end in found:
        p = patterns.patterns[pid]
        if p.literal:
            out.append((pid, char_offset(buf, start), char_offset(buf, end)))
        elif p.overlap:
            out.append((pid, -1, -1))
        else:
            out.append((pid, char_offset(buf, start), -1))
    return sorted(out)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hyperscan_and_re_agree_on_real_corpus(shared_corpus, lang):
    suite = S.scanner(lang)
    assert suite.patterns.engine == "hyperscan" == engine_name()
    fallback = PatternSet(suite.patterns.patterns, engine="re")
    texts = _windows(shared_corpus, lang, 150)
    hits = 0
    for text in texts:
        fast, slow = _counts(suite.patterns, text), _counts(fallback, text)
        assert fast == slow
        hits += len(fast)
    assert hits > 150 * 3  # the plants (and the prose) are found


@pytest.mark.parametrize("regex", sorted(KERNELS))
def test_pattern_kernels_count_what_hyperscan_counts(shared_corpus, regex):
    """Each compiled counter of :mod:`pattern_kernels` keeps the matches (starts, for non-overlap patterns;
    the count, for overlap ones) that Hyperscan's counting rule keeps, on real windows and on random text
    made of the pieces the regexes turn on; where its starts stand for the hit positions, they are where
    ``re`` finds each match; and the scan uses it for that exact regex."""
    kernel = KERNELS[regex]
    overlap, positions, caseless = kernel.overlap, kernel.positions, kernel.caseless
    pattern = Pattern(regex, caseless=caseless, overlap=overlap)
    ps = PatternSet([pattern])
    rng = random.Random(5)
    pieces = list("的的的，、。！？；：“”\n \t中文,;:?!.\u3000\r\x0b  _1é’-") + [
        "ly",
        "LY",
        "ab",
        "Xyz",
        "only",
    ]
    texts = _windows(shared_corpus, "zh", 40) + _windows(shared_corpus, "en", 40)
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(30))) for _ in range(2500)]
    hits = 0
    for text in texts:
        found, buf = ps.matches(text)
        got = kernel.starts(codepoints(text)).tolist()
        if overlap:
            assert len(got) == len(found), text
        else:
            assert got == [char_offset(buf, s) for _, s, _ in found], text
        if positions and overlap:  # the starts where re finds a match (what the windowed count reads)
            assert got == [s for s, _, _ in pattern_spans(text, [pattern])], text
        hits += len(got)
    assert hits > 30  # the kernel is exercised
    lang = "en" if regex.isascii() and "\\u" not in regex else "zh"  # ideographs, or their escapes
    scanner = S.scanner(lang)
    assert regex not in {p.regex for p in scanner.patterns.patterns}
    assert kernel in [k for _, k in scanner.kernels]


def test_counting_rules():
    ps = PatternSet(
        [
            Pattern("……*"),
            Pattern(r"[!?]{2,}", overlap=True),
            phrase("very"),
            phrase("一丝"),
            Pattern(r"\|.*\|"),
        ]
    )
    text = "……x… !!! very every VERY 一丝一丝 |a|b|"
    found, buf = ps.matches(text)
    per = [sum(1 for pid, _, _ in found if pid == i) for i in range(5)]
    assert per == [2, 2, 2, 2, 1]  # …… and … ; !!! ends twice ; very, VERY (not every) ; 一丝 ×2 ; one |…|
    literal_starts = sorted(char_offset(buf, s) for pid, s, _ in found if pid == 3)
    assert literal_starts == [text.index("一丝"), text.index("一丝") + 2]


@pytest.mark.parametrize("bad", [r"(?<!a)b", r"a(?=b)", r"(a)\1", r"[unclosed"])
def test_unsupported_patterns_are_refused_with_the_pattern_named(bad):
    with pytest.raises(ValueError, match="regex"):
        check_pattern(bad)


def test_principle_library_with_lookaround_fails_at_load(tmp_path):
    lib = tmp_path / "p.yaml"
    lib.write_text(
        "principles:\n- {id: x, domain: style, langs: [en], description: {en: d}, follows: a, violates: b,\n"
        "   check: {type: regex, pattern: 'a(?!b)'}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"principle #0 \(x\).*lookaround"):
        P.load_principles(str(lib))


def test_slop_principles_and_format_share_one_scan():
    view = TextView("It was a testament to her courage. As an AI, I cannot.", "en")
    hits = S.scan(view)
    counts, slop = hits.counts, hits.slop
    entries = S.scanner("en").slop.entries
    assert [(entries[i].text, view.text[a:b]) for i, a, b in slop] == [("testament to", "testament to")]
    assert S.scan(view) is P.rule_matches(view)  # one scan per view, shared by slop and principles
    assert len(view.derived) == 1
    ai = next(i for i, p in enumerate(S.scanner("en").principles) if p.id == "no-ai-identity")
    assert counts[ai] == 1
    from swift_scifi.rewards.format import format_hits

    wrapped = TextView(
        "As an AI language model, I wrote this tale for you. Let me know what you think.", "en"
    )
    assert S.scan(wrapped).format  # the format rules run in the same pass
    assert sorted({cat for cat, _, _ in format_hits(wrapped)}) == ["ai_identity", "closing"]
    assert len(wrapped.derived) == 2  # the scan, and format's reading of it: no second scan
