"""Fit the slop weights: log-odds of LLM use vs human use for every candidate phrase and construction.

Writes ``swift_scifi/data/slop/weights.json`` (the only slop file the package reads), with its provenance.

    python scripts/fit_slop_weights.py [--data ../shared/data] [--out swift_scifi/data/slop/weights.json]

Candidates (English): the curated antislop list (``data/slop/en.txt``), slop-score's word list (MIT) and
antislop-sampler's 2,500 phrases (Apache-2.0) from ``shared/data/bench/eqbench``, and the contrast frames and
clichés of ``data/slop/constructions.yaml``. Counted with the package's own matcher
(:mod:`swift_scifi.rewards.slop_lists`) in
- LLM prose: slop-score's outputs, only the *fit* half (even prompt index and even-ranked model, see
  :func:`swift_scifi.validation.data.held_out`): the other prompts and models stay held out for validation;
- human prose: three of the six English novels of ``shared/data/corpus/en`` (HUMAN_FIT_EN); the other three
  stay held out.
``log_odds = ln((llm + a) / llm_units) - ln(human_rate)``, ``human_rate = (human + a) / human_units`` (a = 0.5;
units = words), for a single word averaged with its wordfreq frequency (modern English; the novels are old).
Kept: ``llm >= MIN_LLM`` and ``log_odds >= MIN_LOG_ODDS`` (an LLM rate at least e^1.5 = 4.5x the human rate);
weight ``min(1, log_odds / FULL_LOG_ODDS)``; a phrase (not a construction) with a human rate over MAX_HUMAN_RATE
(10 per million words) is ordinary vocabulary and dropped whatever its log-odds (e.g. "moreover"). A construction with fewer LLM matches keeps its ``prior`` when no
human text uses it. Chinese: no Chinese LLM prose is available, so the hand-written list (``data/slop/zh.txt``)
and Chinese constructions keep weight 1 unless the Chinese corpus uses them (more than MAX_ZH_HUMAN times
per million 字), which drops them.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import math
import re
from collections import Counter
from pathlib import Path

import yaml

from swift_scifi.rewards.slop_lists import Entry, SlopIndex
from swift_scifi.rewards.view import TextView
from swift_scifi.validation import data as vdata

REPO = Path(__file__).resolve().parent.parent
SLOP_DIR = REPO / "swift_scifi" / "data" / "slop"
HUMAN_FIT_EN = (
    "burroughs_a_princess_of_mars.txt",
    "verne_twenty_thousand_leagues_under_the_sea.txt",
    "wells_the_time_machine.txt",
)
ALPHA = 0.5
MIN_LLM = 5
MIN_LOG_ODDS = 1.5
FULL_LOG_ODDS = 3.0
MAX_HUMAN_RATE = 1e-5  # a phrase people write more than 10 times per million words is ordinary vocabulary
MAX_ZH_HUMAN = 1.0  # per million 字
FORMULA = {"window_chars": {"en": 5800, "zh": 1200}, "allowance": 2.0, "scale": 20.0}
ORDINARY = ("amidst", "attentively", "gleamed", "intently", "chuckled", "moreover")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def candidates(data: Path) -> list[Entry]:
    """Every candidate entry, deduplicated (first source wins)."""
    eq = data / "bench" / "eqbench"
    seen: dict[str, Entry] = {}

    def add(text: str, lang: str) -> None:
        t = text.strip().lower()
        ok = re.fullmatch(r"[a-z0-9' ,.\-]+", t) if lang == "en" else t
        if ok and t not in seen:
            seen[t] = Entry(t, lang, "phrase", 1.0)

    for line in (SLOP_DIR / "en.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            add(line, "en")
    for (w,) in json.loads((eq / "slop-score" / "slop_list.json").read_text()):
        add(w, "en")
    for w, _ in json.loads((eq / "antislop_sampler" / "slop_phrases_2025-04-07.json").read_text()):
        add(w, "en")
    for line in (SLOP_DIR / "zh.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            add(line, "zh")
    cons = yaml.safe_load((SLOP_DIR / "constructions.yaml").read_text(encoding="utf-8"))["constructions"]
    out = list(seen.values())
    out += [Entry(c["id"], c["lang"], c["kind"], float(c.get("prior", 1.0)), c["regex"]) for c in cons]
    return out


def count(index: SlopIndex, texts: list[str]) -> tuple[Counter, int]:
    """Matches per entry (each counted on its own, overlaps included) and total units of ``texts``."""
    c: Counter = Counter()
    units = 0
    for t in texts:
        c.update(index.find_all(t))
        units += TextView(t).length
    return c, units


def fit(data: Path) -> dict:
    cands = candidates(data)
    index = SlopIndex(tuple(cands))
    llm = vdata.llm_outputs(data)
    models = sorted({x.model for x in llm})
    rank = {m: i for i, m in enumerate(models)}
    fit_llm = [x.text for x in llm if not any(vdata.held_out(rank[x.model], x.prompt_index))]
    a, na = count(index, fit_llm)
    en_files = [data / "corpus" / "en" / f for f in HUMAN_FIT_EN]
    b, nb = count(index, [_chunk for f in en_files for _chunk in _chunks(f.read_text(encoding="utf-8"))])
    zh_files = sorted((data / "corpus" / "zh").glob("*.txt"))
    z, nz = count(index, [_chunk for f in zh_files for _chunk in _chunks(f.read_text(encoding="utf-8"))])
    entries, dropped = [], Counter()
    for i, e in enumerate(cands):
        human_rate = _human_rate(e, b[i], nb)
        lo = math.log((a[i] + ALPHA) / na) - math.log(human_rate)
        stats = {"llm": a[i], "human": b[i], "log_odds": round(lo, 3)}
        if e.lang == "zh":
            per_m = z[i] * 1e6 / nz
            if per_m > MAX_ZH_HUMAN:
                dropped["zh: used in the Chinese corpus"] += 1
                continue
            w, stats = (e.weight if e.regex is not None else 1.0), {"human_zh": z[i]}
        elif e.regex is None and human_rate > MAX_HUMAN_RATE:
            dropped["en phrase: human rate over 10 per million words (ordinary vocabulary)"] += 1
            continue
        elif a[i] >= MIN_LLM:
            if lo < MIN_LOG_ODDS:
                dropped[f"en {e.kind}: log-odds < {MIN_LOG_ODDS}"] += 1
                continue
            w = min(1.0, lo / FULL_LOG_ODDS)
        elif e.regex is not None and b[i] == 0:
            w = e.weight  # prior: too rare in the LLM outputs to estimate, never in human prose
        else:
            dropped[f"en {e.kind}: fewer than {MIN_LLM} LLM hits"] += 1
            continue
        item = {"text": e.text, "lang": e.lang, "kind": e.kind, "weight": round(w, 3), **stats}
        if e.regex is not None:
            item["regex"] = e.regex
        entries.append(item)
    entries.sort(key=lambda x: (x["lang"], x["kind"], x["text"]))
    ordinary = {w: next((x["weight"] for x in entries if x["text"] == w), 0.0) for w in ORDINARY}
    return {
        "version": datetime.date.today().isoformat(),
        "formula": FORMULA,
        "provenance": {
            "script": "scripts/fit_slop_weights.py",
            "rule": (
                f"log_odds = ln((llm+{ALPHA})/llm_units) - ln(human_rate), human_rate = (human+{ALPHA})/human_units "
                "(single words: averaged with wordfreq 3.1 en frequency); keep llm >= "
                f"{MIN_LLM} and log_odds >= {MIN_LOG_ODDS} (phrases: human rate <= {MAX_HUMAN_RATE}/word); weight = min(1, log_odds/{FULL_LOG_ODDS}); "
                "regex entries rarer than that keep their prior when human prose never uses them; zh entries "
                f"weight 1 unless the zh corpus uses them more than {MAX_ZH_HUMAN} per million units"
            ),
            "llm_prose": {
                "source": "shared/data/bench/slop-score-outputs/outputs.jsonl.gz (sam-paech/slop-score, MIT)",
                "sha256": _sha(data / "bench" / "slop-score-outputs" / "outputs.jsonl.gz"),
                "split": "fit on even prompt_index x even-ranked model (sorted by name); the rest held out",
                "texts": len(fit_llm),
                "units": na,
            },
            "human_prose_en": {"files": list(HUMAN_FIT_EN), "units": nb},
            "human_prose_zh": {"files": [f.name for f in zh_files], "units": nz},
            "candidates": {
                "en.txt (antislop-sampler selection, Apache-2.0)": _sha(SLOP_DIR / "en.txt"),
                "slop-score slop_list.json (MIT)": _sha(data / "bench/eqbench/slop-score/slop_list.json"),
                "antislop-sampler slop_phrases_2025-04-07.json (Apache-2.0)": _sha(
                    data / "bench/eqbench/antislop_sampler/slop_phrases_2025-04-07.json"
                ),
                "zh.txt (swift-scifi)": _sha(SLOP_DIR / "zh.txt"),
                "constructions.yaml (swift-scifi)": _sha(SLOP_DIR / "constructions.yaml"),
                "total": len(cands),
            },
            "dropped": dict(dropped),
            "ordinary_literary_words_weight": ordinary,
        },
        "entries": entries,
    }


def _human_rate(e: Entry, hits: int, units: int) -> float:
    """Human use per word: the fit novels' rate (add-ALPHA smoothed); for a single English word, averaged
    with wordfreq's frequency in modern English (books, subtitles, web: the novels are 19th-century)."""
    rate = (hits + ALPHA) / units
    if e.lang == "en" and e.regex is None and re.fullmatch(r"[a-z]+", e.text):
        from wordfreq import word_frequency

        rate = (rate + word_frequency(e.text, "en")) / 2
    return rate


def _chunks(text: str, size: int = 100_000) -> list[str]:
    """A long novel in paragraph-aligned pieces (the scan and TextView take one completion at a time)."""
    out, start = [], 0
    while start < len(text):
        end = text.find("\n\n", start + size)
        end = len(text) if end < 0 else end
        out.append(text[start:end])
        start = end
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=None, help="shared data folder (default: beside the checkout)"
    )
    ap.add_argument("--out", type=Path, default=SLOP_DIR / "weights.json")
    args = ap.parse_args()
    data = vdata.check_data_dir(args.data or vdata.default_data_dir())
    doc = fit(data)
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    kinds = Counter((e["lang"], e["kind"]) for e in doc["entries"])
    print(f"wrote {args.out}: {len(doc['entries'])} entries {dict(kinds)}")
    print("dropped:", doc["provenance"]["dropped"])
    print("ordinary literary words (weight):", doc["provenance"]["ordinary_literary_words_weight"])


if __name__ == "__main__":
    main()
