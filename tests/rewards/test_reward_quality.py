"""Clean real passages outscore the same passages with a planted defect, on the reward meant to catch it.

Hundreds of passages from the shared zh/en corpus; the per-reward ordering accuracy is printed
(`pytest -s`) and recorded in docs/rewards.md (regenerate with `python -m tests.rewards.plant`).
"""

from __future__ import annotations

from tests.rewards.plant import quality_table


def test_planted_defects_score_lower_on_real_corpus(shared_corpus):
    table = quality_table(shared_corpus, per_file=25)
    print("\ndefect | lang | planted lower | accuracy")
    for (defect, lang), (ok, n) in sorted(table.items()):
        print(f"{defect} | {lang} | {ok}/{n} | {ok / n:.1%}")
    for lang in ("zh", "en"):
        pairs = sum(n for (_, lg), (_, n) in table.items() if lg == lang)
        assert pairs >= 400, f"too few {lang} pairs: {pairs}"
    for (defect, lang), (ok, n) in table.items():
        assert n >= 70, (defect, lang, n)
        assert ok / n >= 0.95, f"{defect} ({lang}): only {ok}/{n} planted passages scored lower"
