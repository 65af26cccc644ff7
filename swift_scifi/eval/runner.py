"""``swift-scifi eval`` end to end: criteria → judge scores → metrics → summary, report and manifest.

Output folder: ``scores.jsonl`` (one line per (index, criterion)), ``summary.json``, ``report.html``,
``manifest.json``, ``criteria.jsonl`` (the criteria used), ``metrics.jsonl`` (measured metrics per response).
Re-running into the same folder resumes: finished (index, criterion) pairs are not judged or counted again.
``summary["status"]`` says whether the run failed as a whole (nothing scored, or too many failures); the
CLI exits non-zero then.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..atomic_write import write_json
from ..judge.client import ChatClient, ClientSettings
from ..judge.scripted import SCRIPTED_BANNER, is_scripted_reason
from .aggregate import aggregate, aggregate_metrics
from .console import print_summary, progress_bar
from .criteria import DEFAULT_CACHE, CriteriaCache, cache_version, fill_criteria
from .failures import count_failures, run_status
from .journal import Journal, read_final
from .manifest import build_manifest, write_manifest
from .metrics import measure
from .pairwise import pair_key, run_pairwise, summarize_pairwise
from .protocol import load_protocol
from .records import Query, ResponseIndex, load_queries
from .report import write_report
from .scoring import count_pairs, run_scoring, sampling_body, score_key, skipped_queries

logger = logging.getLogger("swift_scifi.eval")


class EvalInterrupted(KeyboardInterrupt):
    """Ctrl-C during judging: ``done`` of ``total`` items have a final record in the journal."""

    def __init__(self, done: int, total: int, verb: str = "judged") -> None:
        super().__init__(f"interrupted: {done} of {total} {verb}; re-run the same command to resume")
        self.done, self.total = done, total


@dataclass
class EvalConfig:
    queries: Path
    responses: Path
    out: Path
    judge: ClientSettings
    rubric: str | None = None
    requirement: str | None = None
    limit: int | None = None
    criteria_cache: Path = DEFAULT_CACHE
    resamples: int = 2000
    seed: int = 0
    progress: bool = True
    report: bool = True
    options: dict[str, Any] = field(default_factory=dict)
    protocol: str = "project"  # a packaged protocol name (project | writingbench) or a YAML path
    judge_max_tokens: int | None = None  # None: the protocol's budget
    max_failed_share: float = 0.1  # 0..1; above it (or with nothing scored) the run has failed


def _judge_info(settings: ClientSettings) -> dict[str, Any]:
    return {k: v for k, v in asdict(settings).items() if k != "api_key"}


def _write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


async def _judge_all(
    cfg: EvalConfig, queries: list[Query], responses: ResponseIndex, journal: Journal
) -> None:
    protocol = load_protocol(cfg.protocol)
    body = sampling_body(protocol, cfg.judge_max_tokens)
    async with ChatClient(cfg.judge) as client:
        cache = CriteriaCache(cfg.criteria_cache, cfg.judge.model)
        await fill_criteria(client, queries, cache, cfg.rubric)
        total = count_pairs(queries, responses, journal.done)
        if cfg.progress:
            with progress_bar(total) as advance:
                await run_scoring(client, queries, responses, journal, advance, protocol, body)
        else:
            await run_scoring(client, queries, responses, journal, None, protocol, body)


def run_eval(cfg: EvalConfig) -> dict[str, Any]:
    """Run (or resume) an evaluation into ``cfg.out``; returns the summary dict also written to summary.json."""
    cfg.out.mkdir(parents=True, exist_ok=True)
    protocol = load_protocol(cfg.protocol)
    queries = load_queries(cfg.queries, cfg.requirement, cfg.limit)
    responses = ResponseIndex(cfg.responses)
    scores_path = cfg.out / "scores.jsonl"
    with Journal(scores_path, score_key) as journal:
        if journal.repaired_bytes:
            logger.warning("cut a torn last line (%d bytes) from %s", journal.repaired_bytes, scores_path)
        try:
            asyncio.run(_judge_all(cfg, queries, responses, journal))
        except KeyboardInterrupt:
            raise EvalInterrupted(
                len(journal.done), count_pairs(queries, responses, set()), "judged"
            ) from None
    _write_jsonl(cfg.out / "criteria.jsonl", ({"index": q.index, "criteria": q.criteria} for q in queries))
    metric_rows = [measure(q, responses.get(q.index) or "") for q in queries if q.index in responses]
    _write_jsonl(cfg.out / "metrics.jsonl", metric_rows)

    final = list(read_final(scores_path, score_key).values())
    summary = aggregate(final, resamples=cfg.resamples, seed=cfg.seed, aggregation=protocol.aggregation)
    summary["protocol"] = protocol.id
    summary["judge_model"] = cfg.judge.model
    summary["queries_skipped"] = skipped_queries(queries, responses)
    skipped = summary["queries_skipped"]
    summary["failures"] = count_failures(final, len(skipped["no_criteria"]), len(skipped["no_response"]))
    summary["status"] = run_status(summary, cfg.max_failed_share)
    summary["scripted_judge"] = any(is_scripted_reason(r.get("reason")) for r in final)
    summary["metrics"] = aggregate_metrics(metric_rows, resamples=cfg.resamples, seed=cfg.seed)
    manifest = build_manifest(
        judge={**_judge_info(cfg.judge), "sampling": sampling_body(protocol, cfg.judge_max_tokens)},
        prompt_ids=(protocol.prompt, "generate_criteria"),
        rubric=cfg.rubric,
        data={"queries": cfg.queries, "responses": cfg.responses},
        options={
            **cfg.options,
            "limit": cfg.limit,
            "requirement": cfg.requirement,
            "criteria_cache_version": cache_version(cfg.judge.model),
            "resamples": cfg.resamples,
            "seed": cfg.seed,
            "max_failed_share": cfg.max_failed_share,
        },
    )
    manifest["protocol"] = protocol.info()
    summary["manifest"] = "manifest.json"
    write_manifest(cfg.out / "manifest.json", manifest)
    write_json(cfg.out / "summary.json", summary, reason="nothing was scored")
    if cfg.report:
        write_report(
            cfg.out / "report.html",
            summary,
            final,
            {r["index"]: r["length"] for r in metric_rows},
            manifest,
            queries={q.index: q for q in queries},
        )
    if cfg.progress:
        print_summary(summary)
    return summary


@dataclass
class PairwiseConfig:
    queries: Path
    responses_a: Path
    responses_b: Path
    out: Path
    judge: ClientSettings
    limit: int | None = None
    resamples: int = 2000
    seed: int = 0
    progress: bool = True


def run_pairwise_eval(cfg: PairwiseConfig) -> dict[str, Any]:
    """Judge A against B in both orders into ``cfg.out/pairwise.jsonl``; returns and writes the summary."""
    cfg.out.mkdir(parents=True, exist_ok=True)
    queries = load_queries(cfg.queries, limit=cfg.limit)
    a, b = ResponseIndex(cfg.responses_a), ResponseIndex(cfg.responses_b)
    path = cfg.out / "pairwise.jsonl"

    async def go(journal: Journal) -> None:
        async with ChatClient(cfg.judge) as client:
            if cfg.progress:
                total = sum(1 for q in queries if q.index in a and q.index in b) * 2 - len(journal.done)
                with progress_bar(max(total, 0), "pairwise") as advance:
                    await run_pairwise(client, queries, a, b, journal, advance)
            else:
                await run_pairwise(client, queries, a, b, journal)

    with Journal(path, pair_key) as journal:
        try:
            asyncio.run(go(journal))
        except KeyboardInterrupt:
            total = 2 * sum(1 for q in queries if q.index in a and q.index in b)
            raise EvalInterrupted(len(journal.done), total, "judged") from None
    summary = summarize_pairwise(read_final(path, pair_key).values(), resamples=cfg.resamples, seed=cfg.seed)
    manifest = build_manifest(
        judge=_judge_info(cfg.judge),
        prompt_ids=("pairwise",),
        data={"queries": cfg.queries, "responses_a": cfg.responses_a, "responses_b": cfg.responses_b},
        options={"limit": cfg.limit},
    )
    write_manifest(cfg.out / "manifest.json", manifest)
    write_json(cfg.out / "pairwise_summary.json", summary, reason="no pair was judged")
    if cfg.progress:
        from .console import console

        if any(is_scripted_reason(r.get("reason")) for r in read_final(path, pair_key).values()):
            console.print(SCRIPTED_BANNER, style="bold reverse yellow", markup=False)
        console.print(
            f"A wins {summary['wins_a']}, B wins {summary['wins_b']}, ties {summary['ties']}; "
            f"win rate A {summary['win_rate_a']['mean']:.3f} (95% CI {summary['win_rate_a']['ci95'][0]:.3f}"
            f"–{summary['win_rate_a']['ci95'][1]:.3f}); order agreement {summary['order_agreement']}"
        )
    return summary
