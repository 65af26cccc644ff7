"""Real corpus passages and planted defects for the reward quality test (test_reward_quality.py).

Run ``python -m tests.rewards.plant`` to print the per-reward ordering accuracy table used in docs/rewards.md.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from swift_scifi.text import count_length, split_paragraphs, split_sentences

SLOP_SENTENCES = {
    "en": [
        "A shiver ran down her spine, a testament to the tapestry of fate.",
        "His voice was barely above a whisper, and the air was filled with anticipation.",
        "Little did he know that his life would never be the same.",
        "Maybe, just maybe, they would face it together.",
    ],
    "zh": [
        "他深吸一口气，嘴角勾起一抹微笑，眼中闪烁着坚定的光芒。",
        "空气仿佛凝固了，命运的齿轮开始转动。",
        "她心中五味杂陈，这只是开始。",
        "众人一片哗然，倒吸一口凉气。",
    ],
}
_EN_NAME_RE = re.compile(r"\b[A-Z][a-z]{4,}\b")
_CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]{3,}")
_VOWELS = "aeiou"


def passages(corpus: Path, lang: str, per_file: int, seed: int = 0) -> Iterator[str]:
    """Runs of whole paragraphs of 300-1,500 units from each novel in ``corpus/lang``, evenly spread."""
    rng = random.Random(seed)
    for path in sorted((corpus / lang).glob("*.txt")):
        paras = [p for p in split_paragraphs(path.read_text(encoding="utf-8")) if count_length(p) >= 20]
        starts = sorted(rng.sample(range(max(1, len(paras) - 12)), min(per_file, max(1, len(paras) - 12))))
        for s in starts:
            chunk, n = [], 0
            for p in paras[s:]:
                chunk.append(p)
                n += count_length(p)
                if n >= 300 and len(chunk) >= 3:
                    break
            if 300 <= n <= 1500:
                yield "\n\n".join(chunk)


def pick_term(text: str, lang: str) -> str | None:
    """A name-like term used at least twice: a capitalised 5+ letter word (en) or a 3-字 run (zh)."""
    if lang == "en":
        lowered = set(re.findall(r"\b[a-z]{5,}\b", text))
        counts = Counter(w for w in _EN_NAME_RE.findall(text) if w.lower() not in lowered)
    else:
        counts = Counter(
            g for run in _CJK_RUN_RE.findall(text) for g in (run[i : i + 3] for i in range(len(run) - 2))
        )
    best = [(c, t) for t, c in counts.items() if c >= 2]
    return max(best)[1] if best else None


def near_variant(term: str, lang: str, k: int) -> str:
    """A near miss of ``term``: zh alternates traditional script / last / first 字 swapped for a homophone
    or look-alike (the commonest slip in Chinese fiction); en alternates vowel swap / lower case / inner
    letter dropped."""
    if lang == "zh":
        from opencc import OpenCC

        from swift_scifi.rewards.zh_variants import substitution_variants

        trad = OpenCC("s2t").convert(term)
        if k % 3 == 0 and trad != term:
            return trad
        at = len(term) - 1 if k % 3 == 1 else 0
        swaps = sorted(v for v in substitution_variants(term) if v[at] != term[at])
        if swaps:
            return swaps[k % len(swaps)]
        sub = "星" if "星" not in term else "辰"
        return term[:-1] + sub if k % 3 == 1 else sub + term[1:]
    if k % 3 == 0:
        i = next((i for i in range(1, len(term)) if term[i] in _VOWELS), 1)
        return term[:i] + ("a" if term[i] != "a" else "e") + term[i + 1 :]
    if k % 3 == 1:
        return term.lower()
    return term[:2] + term[3:]


def swap_term(text: str, term: str, variant: str) -> str:
    """Replace the last occurrence of ``term`` with ``variant``."""
    i = text.rfind(term)
    return text[:i] + variant + text[i + len(term) :]


def duplicate_paragraph(text: str, rng: random.Random) -> str:
    paras = text.split("\n\n")
    i = rng.randrange(len(paras))
    return "\n\n".join(paras[: i + 1] + [paras[i]] + paras[i + 1 :])


def inject_slop(text: str, lang: str, rng: random.Random, n: int = 2) -> str:
    paras = text.split("\n\n")
    for s in rng.sample(SLOP_SENTENCES[lang], n):
        i = rng.randrange(len(paras))
        paras[i] = paras[i] + (" " if lang == "en" else "") + s
    return "\n\n".join(paras)


def markdown_list(text: str, lang: str, rng: random.Random) -> str:
    """Turn the sentences of one paragraph into a bullet list."""
    paras = text.split("\n\n")
    i = max(range(len(paras)), key=lambda j: len(paras[j]))
    sents = split_sentences(paras[i], lang)[:4] or [paras[i]]
    paras[i] = "\n".join(f"- {s}" for s in sents)
    return "\n\n".join(paras)


QUESTIONS = {
    "zh": ["他到底是谁？", "他从哪里来？", "他想要什么？", "这一切有什么意义？", "我们还能相信谁？"],
    "en": [
        "Who was he?",
        "Where had he come from?",
        "What did he want?",
        "What did any of it mean?",
        "Who could they trust?",
    ],
}


def question_pileup(text: str, lang: str, rng: random.Random) -> str:
    """Three rhetorical questions in a row, as a paragraph of narration after a random paragraph."""
    paras = text.split("\n\n")
    i = rng.randrange(len(paras))
    paras.insert(i + 1, (" " if lang == "en" else "").join(rng.sample(QUESTIONS[lang], 3)))
    return "\n\n".join(paras)


def off_length(text: str, k: int) -> str:
    """Far from the target (= the clean length): a quarter of the text, or the text three times over."""
    return text[: len(text) // 4] if k % 2 == 0 else "\n\n".join([text] * 3)


def quality_table(corpus: Path, per_file: int = 40) -> dict[tuple[str, str], tuple[int, int]]:
    """(defect, lang) -> (planted scored lower, pairs), over passages from every novel."""
    from swift_scifi.rewards import score_text

    out: dict[tuple[str, str], list[int]] = {}
    for lang in ("zh", "en"):
        rng = random.Random(1)
        for k, clean in enumerate(passages(corpus, lang, per_file)):
            n = count_length(clean)
            cases = [
                ("duplicated paragraph", "repetition", duplicate_paragraph(clean, rng), {}),
                # three: the slop reward forgives two weighted hits per ~1,000 units, as human prose has
                ("slop injected", "slop", inject_slop(clean, lang, rng, n=3), {}),
                ("length off target", "length", off_length(clean, k), {"target_length": n}),
                ("rhetorical questions piled up", "principles", question_pileup(clean, lang, rng), {}),
            ]
            term = pick_term(clean, lang)
            if term:
                variant = near_variant(term, lang, k)
                cases.append(
                    (
                        "term near variant",
                        "term_consistency",
                        swap_term(clean, term, variant),
                        {"terms": [term]},
                    )
                )
            for defect, key, bad, kw in cases:
                good_s = score_text(clean, lang=lang, **kw)[key]
                bad_s = score_text(bad, lang=lang, **kw)[key]
                tally = out.setdefault((defect, lang), [0, 0])
                tally[0] += bad_s < good_s
                tally[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


if __name__ == "__main__":
    from tests.conftest import SHARED_DATA

    for (defect, lang), (ok, n) in sorted(quality_table(SHARED_DATA / "corpus", per_file=25).items()):
        print(f"| {defect} | {lang} | {ok}/{n} | {ok / n:.1%} |")
