"""WritingBench-style evaluation: query-specific criteria, async judge scoring with resume, aggregation
with bootstrap CIs, pairwise A/B, run manifest and HTML report. Light to import (no torch, no ms-swift).
"""

from .aggregate import aggregate
from .bootstrap import bootstrap_ci
from .records import Query, ResponseIndex, load_queries
from .runner import EvalConfig, PairwiseConfig, run_eval, run_pairwise_eval

__all__ = [
    "EvalConfig",
    "PairwiseConfig",
    "Query",
    "ResponseIndex",
    "aggregate",
    "bootstrap_ci",
    "load_queries",
    "run_eval",
    "run_pairwise_eval",
]
