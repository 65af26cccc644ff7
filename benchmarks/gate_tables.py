"""Measured tables of docs/rewards.md for the gates, length and repetition (issue 10, gates part).

Run: ``PYTHONPATH=. python benchmarks/gate_tables.py`` (about 1-2 min; needs ../shared/data). Prints
markdown tables:
- format and fluency gates: share of clean human windows penalised (shared corpus, zh/en, random windows);
- fluency and writing of gibberish (random tokens, lorem ipsum, mixed scripts, U+FFFD, punctuation);
- the assistant-wrapper regression (writing of clean / wrapped / one slop word);
- repetition: share of clean windows penalised at 1k/3k/6k/12k characters;
- LongBench-Write: share of queries whose stated length lies in the parsed target, and the misses.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from swift_scifi.rewards import score_text  # noqa: E402
from swift_scifi.rewards.fluency import fluency_report  # noqa: E402
from swift_scifi.rewards.format import format_report  # noqa: E402
from swift_scifi.rewards.length import parse_target  # noqa: E402
from swift_scifi.rewards.repetition import repetition_report  # noqa: E402
from swift_scifi.rewards.view import TextView  # noqa: E402
from swift_scifi.validation.planted import frequent_word_salad, shuffled_words  # noqa: E402
from tests.rewards.windows import random_windows  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
CORPUS = SHARED / "corpus"


def gate_fp() -> None:
    print("| gate | lang | window (chars) | penalised (score < 1) |\n|---|---|---:|---:|")
    for lang in ("zh", "en"):
        for size in (300, 1000, 3000):
            ws = random_windows(CORPUS, lang, n=600, size=size, seed=size)
            fl = sum(fluency_report(TextView(w, lang))["score"] < 1 for _, w in ws)
            print(f"| fluency | {lang} | {size} | {fl}/{len(ws)} ({fl / len(ws):.1%}) |")
        ws = random_windows(CORPUS, lang, n=1000, size=3000, seed=7)
        fm = sum(format_report(TextView(w, lang))["failures"] > 0 for _, w in ws)
        print(f"| format | {lang} | 3000 | {fm}/{len(ws)} ({fm / len(ws):.1%}) |")


def gibberish() -> None:
    rng = random.Random(0)
    letters = "abcdefghijklmnopqrstuvwxyz"
    lorem = (
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore "
        "et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris. "
    )
    zh = "林雪把手按在舷窗上。窗外是木卫二的冰原，远处的裂谷里升起一道白色的水汽。"
    cases = {
        "random letter tokens": " ".join(
            "".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(300)
        ),
        "lorem ipsum": lorem * 6,
        "random CJK characters": "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(600)),
        "mixed-script soup": "".join(
            rng.choice(["飞船", "ship", "зима", "ness", "の", "ing", "冰原", "ΩΔ", "tion", "她"])
            for _ in range(400)
        ),
        "U+FFFD": zh.replace("的", "\ufffd") + "\ufffd" * 60,
        "endless punctuation": "！？……——，。" * 100,
        "clean zh (control)": zh * 5,
    }
    en = (REPO / "swift_scifi/data/corpus/en/wells_the_time_machine.txt").read_text(encoding="utf-8")[
        5000:9000
    ]
    zh4k = (REPO / "swift_scifi/data/corpus/zh/lu_xun_nahan.txt").read_text(encoding="utf-8")[5000:9000]
    cases["frequent-word salad en (wordfreq top 2,000, 4,000 chars)"] = frequent_word_salad(en, "en", rng)
    cases["frequent-word salad zh (wordfreq top 200, 4,000 chars)"] = frequent_word_salad(
        zh4k, "zh", rng, 200
    )
    cases["shuffled words en (a window's own, 4,000 chars)"] = shuffled_words(en, "en", rng)
    cases["shuffled words zh (a window's own, 4,000 chars)"] = shuffled_words(zh4k, "zh", rng)
    tiny = Path("/tmp/gates/tiny_samples.json")
    if tiny.is_file():
        for i, t in enumerate(json.loads(tiny.read_text(encoding="utf-8"))[:4]):
            cases[f"tiny random Qwen3 sample {i}"] = t
    print("| input | fluency | principles | slop | repetition | writing |\n|---|---:|---:|---:|---:|---:|")
    for name, text in cases.items():
        s = score_text(text)
        print(
            f"| {name} | "
            + " | ".join(f"{s[k]:.3f}" for k in ("fluency", "principles", "slop", "repetition", "writing"))
            + " |"
        )


def wrapper() -> None:
    prose = (
        "The ship woke before the crew did. Mara listened to the hull tick as it cooled, counting the seconds "
        "between each sound the way her father had taught her to count thunder.\n\n"
        "Outside the port, Europa's ice stretched white to a horizon that was too close. Somewhere under it, "
        "the signal pulsed again, patient as a heartbeat.\n\n"
        "She pressed her palm to the glass and waited for the light to come back."
    )
    wrapped = (
        "Sure! Here's a short science fiction story for you:\n\n## The Signal\n\n"
        + prose
        + "\n\n**Moral:** Patience reveals what haste hides.\n\nLet me know if you'd like any changes!"
    )
    cases = {
        "clean prose": prose,
        "one slop word (amidst)": prose.replace("Outside the port,", "Amidst the silence, outside the port,"),
        "assistant wrapper": wrapped,
        "one heading only": "## The Signal\n\n" + prose,
    }
    print("| text | format | slop | principles | writing |\n|---|---:|---:|---:|---:|")
    for name, text in cases.items():
        s = score_text(text)
        print(
            f"| {name} | {s['format']:.3f} | {s['slop']:.3f} | {s['principles']:.3f} | {s['writing']:.3f} |"
        )


def repetition() -> None:
    print("| lang | 1,000 | 3,000 | 6,000 | 12,000 |\n|---|---:|---:|---:|---:|")
    for lang in ("zh", "en"):
        row = []
        for size in (1000, 3000, 6000, 12000):
            ws = random_windows(CORPUS, lang, n=60, size=size, seed=size)
            pen = sum(repetition_report(TextView(w, lang))["score"] < 1 for _, w in ws)
            row.append(f"{pen}/60")
        print(f"| {lang} | " + " | ".join(row) + " |")


def longbench() -> None:
    rows = []
    for f in sorted((SHARED / "bench" / "longbench_write").glob("*.jsonl")):
        rows += [(f.name, json.loads(x)) for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    misses = [
        (name, r)
        for name, r in rows
        if not ((t := parse_target(r["prompt"])) and t[0] <= r["length"] <= t[1])
    ]
    ok = len(rows) - len(misses)
    print(f"LongBench-Write: {ok}/{len(rows)} = {ok / len(rows):.1%} recovered\n")
    print("| file | stated length | prompt (start) |\n|---|---:|---|")
    for name, r in misses:
        print(f"| {name} | {r['length']} | {r['prompt'][:70].replace('|', '/').replace(chr(10), ' ')}… |")


if __name__ == "__main__":
    for fn in (gate_fp, gibberish, wrapper, repetition, longbench):
        print(f"\n### {fn.__name__}\n")
        fn()
