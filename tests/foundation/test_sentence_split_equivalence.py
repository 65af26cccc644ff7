"""The fast English sentence regex splits exactly like the original lazy one (kept here as the reference)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from swift_scifi.text import split_sentences

# The original pattern of swift_scifi.text.segment, before the unrolled rewrite.
_OLD_EN_SENT_RE = re.compile(r"\S.*?(?:[.!?]+[\"'”’)\]]*(?=\s|$)|$)", re.DOTALL)


def _old_split_en(text: str) -> list[str]:
    return [s.strip() for s in _OLD_EN_SENT_RE.findall(text) if s.strip()]


_ALPHABET = "ab .!?\"'”’)]\n\t\r\x0b\x0c\u3000。"


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_en_split_matches_old_pattern_on_punctuation_heavy_text(text):
    assert split_sentences(text, "en") == _old_split_en(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_en_split_matches_old_pattern_on_any_text(text):
    assert split_sentences(text, "en") == _old_split_en(text)


def test_en_split_matches_old_pattern_on_real_corpus(shared_corpus):
    for path in sorted((shared_corpus / "en").glob("*.txt"))[:3]:
        text = path.read_text(encoding="utf-8")[:300_000]
        assert split_sentences(text, "en") == _old_split_en(text)
