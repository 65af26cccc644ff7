"""Validity of the rule rewards against real data (``swift-scifi validate-rewards``).

- :mod:`.data`: the outside data (human corpus windows, slop-score LLM outputs, LongBench-Write queries);
- :mod:`.stats`: rank statistics (AUC, Spearman) in plain numpy;
- :mod:`.slop_score`: slop-score's leaderboard composite, per model and per item;
- :mod:`.planted`: planted defects on clean human windows;
- :mod:`.harness`: every measure for every reward and principle, as one JSON-ready dict;
- :mod:`.report`: the tables (rich on the terminal, markdown for docs/rewards.md).

None of this is needed to score text; the package runs without the outside data.
"""
