"""Planted defects on clean human windows: each returns the window with one defect added.

Used by the harness to check, for every reward, how often the planted text scores strictly lower than the
clean one (and, for padding, how often diluting a flawed text raises its score).
"""

from __future__ import annotations

import random
import re

from ..text import split_sentences

SLOP_SENTENCES = {
    "en": [
        "A shiver ran down her spine, a testament to the tapestry of fate.",
        "His voice was barely above a whisper, and the air was thick with anticipation.",
        "Little did he know that his life would never be the same.",
        "It wasn't just a machine — it was a promise.",
        "She let out a breath she didn't know she was holding.",
        "Maybe, just maybe, they would face it together.",
    ],
    "zh": [
        "他深吸一口气，嘴角勾起一抹微笑，眼中闪烁着坚定的光芒。",
        "空气仿佛凝固了，命运的齿轮开始转动。",
        "这不是结束，而是一个新的开始。",
        "众人一片哗然，倒吸一口凉气。",
        "她心中五味杂陈，一股暖流涌上心头。",
    ],
}
WRAPPERS = {
    "en": (
        "Certainly! Here's a short story for you:\n\n## The Signal\n\n",
        "\n\nLet me know if you'd like any changes!",
    ),
    "zh": ("好的，以下是为您创作的故事：\n\n## 信号\n\n", "\n\n希望你喜欢！如需修改，请随时告诉我。"),
}
LOREM = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et "
    "dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip "
    "ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu "
    "fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia "
    "deserunt mollit anim id est laborum. "
)


def inject_slop(text: str, lang: str, rng: random.Random, n: int = 3) -> str:
    """``n`` slop sentences appended to random paragraphs (three: the slop reward forgives two weighted hits
    per ~1,000 units, as human prose has)."""
    paras = text.split("\n\n")
    for s in rng.sample(SLOP_SENTENCES[lang], n):
        i = rng.randrange(len(paras))
        paras[i] = paras[i] + (" " if lang == "en" else "") + s
    return "\n\n".join(paras)


def duplicate_paragraph(text: str, lang: str, rng: random.Random) -> str:
    """The longest paragraph written twice."""
    paras = text.split("\n\n")
    i = max(range(len(paras)), key=lambda j: len(paras[j]))
    return "\n\n".join(paras[: i + 1] + [paras[i]] + paras[i + 1 :])


def markdown_list(text: str, lang: str, rng: random.Random) -> str:
    """The sentences of the longest paragraph turned into a bullet list."""
    paras = text.split("\n\n")
    i = max(range(len(paras)), key=lambda j: len(paras[j]))
    sents = split_sentences(paras[i], lang)[:4] or [paras[i]]
    paras[i] = "\n".join(f"- {s}" for s in sents)
    return "\n\n".join(paras)


def assistant_wrapper(text: str, lang: str, rng: random.Random) -> str:
    """An assistant preamble, a markdown title and a closing offer around the prose."""
    head, tail = WRAPPERS[lang]
    return head + text + tail


def shuffled_chars(text: str, lang: str, rng: random.Random) -> str:
    """Gibberish with the window's own characters: every non-space character shuffled."""
    chars = [c for c in text if not c.isspace()]
    rng.shuffle(chars)
    it = iter(chars)
    return "".join(c if c.isspace() else next(it) for c in text)


def lorem_ipsum(text: str, lang: str, rng: random.Random) -> str:
    """Lorem ipsum of the window's length."""
    return (LOREM * (len(text) // len(LOREM) + 1))[: len(text)]


def _words(text: str, lang: str) -> list[str]:
    """Words of ``text``: jieba's segmentation for zh (spaces dropped), whitespace-separated tokens for en."""
    if lang == "zh":
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        return [w for w in jieba.lcut(text) if not w.isspace()]
    return text.split()


def shuffled_words(text: str, lang: str, rng: random.Random) -> str:
    """Word salad with the window's own words: its words (with their punctuation) in random order."""
    words = _words(text, lang)
    rng.shuffle(words)
    return ("" if lang == "zh" else " ").join(words)


def sentences_shuffled(text: str, lang: str, rng: random.Random, share: float = 1.0) -> str:
    """The words of a ``share`` of the sentences (at least one) shuffled within each; the rest untouched."""
    parts = [p for p in re.split(r"(?<=[。！？.!?])", text) if p]
    chosen = set(rng.sample(range(len(parts)), max(1, round(share * len(parts))))) if parts else set()
    return ("" if lang == "zh" else " ").join(
        shuffled_words(p, lang, rng) if i in chosen else p for i, p in enumerate(parts)
    )


def frequent_word_salad(text: str, lang: str, rng: random.Random, top: int = 2000) -> str:
    """The window's length of words drawn from wordfreq's ``top`` most frequent in ``lang``, with commas,
    full stops and capitals as in prose: every word common, no order."""
    import wordfreq

    vocab = [w for w in wordfreq.top_n_list(lang, top) if w.isalpha()]
    out: list[str] = []
    size = 0
    cap = True
    while size < len(text):
        w = rng.choice(vocab)
        w = w.capitalize() if cap and lang == "en" else w
        r = rng.random()
        cap = r < 0.07
        w += ("。" if lang == "zh" else ".") if cap else ("，" if lang == "zh" else ",") if r < 0.14 else ""
        out.append(w)
        size += len(w) + (lang == "en")
    return ("" if lang == "zh" else " ").join(out)[: len(text)]


def quarter(text: str, lang: str, rng: random.Random) -> str:
    """The first quarter of the window (scored against the clean window's length)."""
    return text[: len(text) // 4]


# name -> (planter, the rewards meant to catch it)
DEFECTS = {
    "slop injected": (inject_slop, ("slop",)),
    "paragraph duplicated": (duplicate_paragraph, ("repetition",)),
    "markdown list": (markdown_list, ("principles", "format")),
    "assistant wrapper": (assistant_wrapper, ("format", "principles")),
    "characters shuffled": (shuffled_chars, ("fluency",)),
    "lorem ipsum": (lorem_ipsum, ("fluency",)),
    "frequent-word salad": (frequent_word_salad, ("fluency",)),
    "words shuffled": (shuffled_words, ("fluency",)),
    "length ¼ of target": (quarter, ("length",)),
}
