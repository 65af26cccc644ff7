"""PhraseIndex (the compiled hash scan behind term consistency) against a brute-force search."""

from __future__ import annotations

import random

from swift_scifi.rewards import phrase_index
from swift_scifi.rewards.phrase_index import PhraseIndex
from swift_scifi.rewards.term_consistency import _WORD_CHARS


def _ends_word(text: str, p: int) -> bool:
    """No word character at ``p``, or a plural ending (s, es) there that ends the word."""
    if p >= len(text) or text[p] not in _WORD_CHARS:
        return True
    for suf in ("s", "es"):
        e = p + len(suf)
        if text[p:e] == suf and (e >= len(text) or text[e] not in _WORD_CHARS):
            return True
    return False


def _brute(text: str, keys: list[str], word_start: list[bool], word_end=None) -> list[tuple[int, int, int]]:
    hits = []
    for k, key in enumerate(keys):
        at = text.find(key)
        while at >= 0:
            if not (word_start[k] and at and text[at - 1] in _WORD_CHARS) and (
                not (word_end and word_end[k]) or _ends_word(text, at + len(key))
            ):
                hits.append((k, at, at + len(key)))
            at = text.find(key, at + 1)
    return sorted(hits, key=lambda h: (h[2], h[1]))


def test_every_occurrence_in_order_of_end_as_brute_force():
    rng = random.Random(7)
    alphabet = "ab c-é星云𠀀"  # Latin, a Latin-1 letter, space, hyphen, CJK, a character above the BMP
    for _ in range(60):
        keys = sorted(
            {
                "".join(rng.choice(alphabet) for _ in range(rng.choice((1, 2, 3, 4, 5, 9, 16, 33))))
                for _ in range(40)
            }
        )
        word_start = [rng.random() < 0.4 for _ in keys]
        word_end = [rng.random() < 0.4 for _ in keys]
        text = "".join(rng.choice(alphabet + "s") for _ in range(rng.randrange(0, 400)))
        text += "".join(rng.sample(keys, 5))  # make sure long keys occur too
        index = PhraseIndex(keys, [None] * len(keys), word_start, word_end=word_end)
        assert index.find(text) == _brute(text, keys, word_start, word_end)


def test_many_hits_grow_the_output():
    index = PhraseIndex(["a", "aa", "aaa"], [None] * 3)
    assert len(index.find("a" * 1000)) == 1000 + 999 + 998


def test_keys_found_through_masked_bases_as_brute_force(monkeypatch):
    """Keys one substitution from a base (homophone swaps of a term) go through masks: same matches."""
    monkeypatch.setattr(phrase_index, "_MASK_MIN_INDEX", 0)  # masks for small indexes too
    rng = random.Random(11)
    alphabet = "ab星云河𠀀"  # few letters: many one-substitution keys, overlaps, a character above the BMP
    for _ in range(60):
        bases = sorted(
            {"".join(rng.choice(alphabet) for _ in range(rng.choice((2, 3, 4, 8)))) for _ in range(6)}
        )
        keys = set(bases)
        for b in bases:  # every one-substitution form, and a few other keys
            keys.update(b[:j] + ch + b[j + 1 :] for j in range(len(b)) for ch in alphabet)
        keys.update("".join(rng.choice(alphabet) for _ in range(rng.choice((1, 3, 5, 9)))) for _ in range(20))
        keys = sorted(keys)
        word_start = [rng.random() < 0.2 for _ in keys]
        word_end = [rng.random() < 0.2 for _ in keys]
        text = "".join(rng.choice(alphabet + " as") for _ in range(rng.randrange(0, 300))) + "".join(bases)
        index = PhraseIndex(keys, [None] * len(keys), word_start, bases=bases, word_end=word_end)
        assert index.n_masked > 0
        assert index.find(text) == _brute(text, keys, word_start, word_end)


def test_word_edges_read_on_the_unlowered_text_as_brute_force():
    """The scan matches the lower-cased text and reads word edges on the text as written: where the two
    disagree on what a word character is (the Kelvin sign lowers to k, U+023A to a letter outside the
    Latin ranges), keys still start and end as the brute force finds them (the first-word filter steps aside)."""
    rng = random.Random(5)
    written = "ka\u212a\u212a\u023a\u023aes -\u00e9\u661f"  # Kelvin sign (lower: k); \u023a (lower: U+2C65, no word character)
    for _ in range(80):
        text = "".join(rng.choice(written) for _ in range(rng.randrange(0, 200)))
        low = text.lower()
        assert len(low) == len(text)
        keys = sorted(
            {"".join(rng.choice("ka\u2c65es -") for _ in range(rng.choice((1, 2, 3)))) for _ in range(30)}
        )
        word_start = [rng.random() < 0.7 for _ in keys]
        # mostly word_end keys: a word_start key that may end inside a word turns the filter off for its
        # first code point
        word_end = [rng.random() < 0.9 for _ in keys]
        index = PhraseIndex(keys, [None] * len(keys), word_start, word_end=word_end)
        got = index.find_codes(phrase_index.codepoints(low), phrase_index.codepoints(text))
        want = []
        for k, key in enumerate(keys):
            at = low.find(key)
            while at >= 0:
                if not (word_start[k] and at and text[at - 1] in _WORD_CHARS) and (
                    not word_end[k] or _ends_word(text, at + len(key))
                ):
                    want.append((k, at, at + len(key)))
                at = low.find(key, at + 1)
        want.sort(key=lambda h: (h[2], h[1]))
        assert [tuple(h) for h in zip(*(a.tolist() for a in got), strict=True)] == want


def test_a_matcher_holds_the_index_tables_once():
    """The term matcher packs the index's tables with its own into the kernel's pools; the index then keeps
    views into those pools (its tables are not held twice) and finds the same matches through them."""
    import numpy as np

    from swift_scifi.rewards.term_consistency import TermMatcher

    m = TermMatcher(("Elara", "曲率引擎", "Nova Prime"))
    index = m.index
    for table in (index._table, index._codes, index._flags, index._offsets, index._masks[0]):
        assert any(np.shares_memory(table, pool) for pool in m._pools)
    text = "Elara flew the Nova Prime; 曲率引擎启动。"
    keys = [index.keys[k] for k, _, _ in index.find(text.lower())]
    assert {"elara", "nova prime", "曲率引擎"} <= set(keys)
