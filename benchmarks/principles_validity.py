"""Per-principle firing rates on clean human prose and on real LLM prose (validity of ``scifi_principles``).

A principle *fires* on a text when its adherence is below 1. Measured on:
- human: random windows of ``--chars`` characters (default 3,000) of ``../shared/data/corpus`` (public-domain
  zh/en novels), ``--windows`` per language (default 400, fixed ``--seed``). A window starts at a line start
  and ends at a line end (whole paragraphs, as a completion would be), so boundary cuts do not count as
  errors; windows with under half their characters left are redrawn.
- LLM: ``../shared/data/bench/slop-score-outputs/outputs.jsonl.gz`` (English stories by 22 models), per model.

Prints, per language, each principle's scored/observed status, its false-positive rate on human windows
and (en) its firing rate on LLM prose overall, the number of models on which it fires *less* than on human
prose (a principle that fires more on human prose is suspect), and the mean ``principles`` score per source.
Writes the same as JSON with ``--json PATH``.

Run: ``PYTHONPATH=. flock /tmp/heavy.lock python benchmarks/principles_validity.py --json /tmp/pv.json``
(about 1 min on one core).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from collections import defaultdict
from pathlib import Path

from swift_scifi.rewards.principles import load_principles, principles_report, principles_score
from swift_scifi.rewards.view import TextView

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def human_windows(lang: str, n: int, chars: int, seed: int, root: Path = SHARED) -> list[str]:
    """``n`` windows of about ``chars`` characters cut at line boundaries, from the books of ``lang``."""
    books = [p.read_text(encoding="utf-8") for p in sorted((root / "corpus" / lang).glob("*.txt"))]
    weights = [len(b) for b in books]
    rng = random.Random(f"{seed}-{lang}")
    out: list[str] = []
    while len(out) < n:
        book = rng.choices(books, weights)[0]
        pos = rng.randrange(0, max(1, len(book) - chars))
        start = book.find("\n", pos) + 1 if pos else 0
        end = book.rfind("\n", start, start + chars)
        text = book[start:end].strip() if end > start else ""
        if len(text) >= chars // 2:
            out.append(text)
    return out


def llm_texts(root: Path = SHARED) -> dict[str, list[str]]:
    """Model -> its story texts, from the slop-score outputs."""
    by_model: dict[str, list[str]] = defaultdict(list)
    with gzip.open(root / "bench" / "slop-score-outputs" / "outputs.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get("text"):
                by_model[row["model"]].append(row["text"])
    return dict(by_model)


def fire_rates(texts: list[str], lang: str) -> tuple[dict[str, float], float]:
    """Share of ``texts`` on which each principle fires, and the mean principles score."""
    fired: dict[str, int] = defaultdict(int)
    total = 0.0
    for t in texts:
        view = TextView(t, lang)
        for pid, a in principles_report(view).items():
            fired[pid] += a < 1.0
        total += principles_score(view)
    ids = [p.id for p in load_principles() if p.is_rule and lang in p.langs]
    return {pid: fired[pid] / len(texts) for pid in ids}, total / max(len(texts), 1)


def measure(n: int, chars: int, seed: int, root: Path = SHARED) -> dict:
    result: dict = {"windows": n, "chars": chars, "seed": seed, "langs": {}}
    observed = {f"{p.id}:{lang}" for p in load_principles() for lang in p.observed}
    for lang in ("zh", "en"):
        rates, mean = fire_rates(human_windows(lang, n, chars, seed, root), lang)
        result["langs"][lang] = {"human": rates, "human_score": mean}
    llm = llm_texts(root)
    per_model = {m: fire_rates(texts, "en") for m, texts in llm.items()}
    en = result["langs"]["en"]
    en["llm_models"] = {m: {"rates": r, "score": s, "n": len(llm[m])} for m, (r, s) in per_model.items()}
    all_texts = sum(len(v) for v in llm.values())
    en["llm"] = {
        pid: sum(r[pid] * len(llm[m]) for m, (r, _) in per_model.items()) / all_texts for pid in en["human"]
    }
    en["llm_score"] = sum(s * len(llm[m]) for m, (_, s) in per_model.items()) / all_texts
    en["models_below_human"] = {
        pid: sum(r[pid] < en["human"][pid] for r, _ in per_model.values()) for pid in en["human"]
    }
    result["models"] = len(per_model)
    result["observed"] = sorted(observed)
    return result


def table(result: dict) -> str:
    """Markdown table: principle, status, human FP zh/en, LLM en, models firing less than human (en)."""
    en, zh = result["langs"]["en"], result["langs"]["zh"]
    observed = set(result["observed"])
    ids = list(dict.fromkeys([*zh["human"], *en["human"]]))
    rows = [
        f"| principle | set | human zh | human en | LLM en | models < human (of {result['models']}) |",
        "|---|---|---:|---:|---:|---:|",
    ]

    def pct(d: dict, k: str) -> str:
        return f"{100 * d[k]:.1f}%" if k in d else "—"

    for pid in ids:
        below = en["models_below_human"].get(pid)
        status = {
            lang: "observed" if f"{pid}:{lang}" in observed else "scored"
            for lang in ("zh", "en")
            if pid in result["langs"][lang]["human"]
        }
        label = (
            next(iter(status.values()))
            if len(set(status.values())) == 1
            else ", ".join(f"{k}: {v}" for k, v in status.items())
        )
        rows.append(
            f"| {pid} | {label} | {pct(zh['human'], pid)} | "
            f"{pct(en['human'], pid)} | {pct(en['llm'], pid)} | {'—' if below is None else below} |"
        )
    rows.append(
        f"| mean `principles` score | | {zh['human_score']:.3f} | {en['human_score']:.3f} | "
        f"{en['llm_score']:.3f} | |"
    )
    return "\n".join(rows)


def model_table(result: dict) -> str:
    """Markdown table: mean ``principles`` score and the share of texts where any scored principle fires,
    per model, best first, with human prose for reference."""
    en = result["langs"]["en"]
    rows = ["| source | mean `principles` | texts |", "|---|---:|---:|"]
    rows.append(f"| human (en windows) | {en['human_score']:.3f} | {result['windows']} |")
    ranked = sorted(en["llm_models"].items(), key=lambda kv: -kv[1]["score"])
    rows += [f"| {m} | {v['score']:.3f} | {v['n']} |" for m, v in ranked]
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=400)
    ap.add_argument("--chars", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    result = measure(args.windows, args.chars, args.seed)
    print(table(result))
    print()
    print(model_table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
