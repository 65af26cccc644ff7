"""``swift-scifi eval``, ``eval-generate`` and ``eval-pairwise``: WritingBench-style judging of responses.

``eval`` exits 1 when the run failed as a whole (nothing scored, or more than ``--max-failed-share`` of the
judgements failed); its outputs are still written, with the failures by kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer

_JUDGE_URL = typer.Option(
    ...,
    "--judge-base-url",
    envvar="SCIFI_JUDGE_BASE_URL",
    help="OpenAI-compatible base URL of the judge, e.g. http://127.0.0.1:8000/v1. 'scripted' starts the "
    "built-in scripted judge (a plumbing test: its scores are hashes, not judgements).",
)
_JUDGE_MODEL = typer.Option(
    ..., "--judge-model", envvar="SCIFI_JUDGE_MODEL", help="Judge model name, as the judge server knows it."
)
_JUDGE_KEY = typer.Option(None, "--judge-api-key", envvar="SCIFI_JUDGE_API_KEY", help="Bearer key, if any.")
_QUERIES = typer.Option(
    ...,
    help="WritingBench-format queries (JSONL), or a bundled set by name: 'scifi-example' (6 zh + en queries).",
)


@contextmanager
def _judge_url(url: str) -> Iterator[str]:
    """``url``, or the base URL of an in-process scripted judge when ``url`` is 'scripted'."""
    if url != "scripted":
        yield url
        return
    from swift_scifi.judge.scripted import SCRIPTED_BANNER, ScriptedJudge

    typer.secho(SCRIPTED_BANNER, fg=typer.colors.YELLOW, bold=True, err=True)
    with ScriptedJudge() as judge:
        yield judge.base_url


def _queries_path(value: str) -> Path:
    from swift_scifi.eval.records import resolve_queries

    try:
        return resolve_queries(value)
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc), param_hint="--queries") from exc


def _settings(url: str, model: str, key: str | None, concurrency: int, timeout: float, retries: int, **kw):
    from swift_scifi.judge.client import ClientSettings

    return ClientSettings(
        base_url=url,
        model=model,
        api_key=key,
        concurrency=concurrency,
        timeout_s=timeout,
        retries=retries,
        **kw,
    )


def _interruptible(run, cfg):
    """``run(cfg)``; on Ctrl-C print how far it got and how to resume, then exit 130 (no traceback)."""
    from swift_scifi.eval.runner import EvalInterrupted

    try:
        return run(cfg)
    except EvalInterrupted as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(130) from None


@dataclass(frozen=True)
class _Generation:
    """Where responses come from: an OpenAI-compatible endpoint, or ms-swift's engine in process."""

    model: str
    base_url: str | None
    engine: str  # 'openai' | 'transformers'
    model_type: str | None
    template: str | None
    max_tokens: int
    temperature: float
    concurrency: int
    timeout: float

    def run(self, queries: list, out: Path) -> None:
        """Write {index, response} lines for ``queries`` to ``out`` (resuming what is there)."""
        import asyncio

        from swift_scifi.eval.generate import generate_in_process, generate_openai

        if self.engine == "transformers":
            generate_in_process(
                queries,
                self.model,
                out,
                model_type=self.model_type,
                template=self.template,
                max_tokens=self.max_tokens,
                temperature=self.temperature,
            )
        elif self.base_url:
            settings = _settings(
                self.base_url, self.model, None, self.concurrency, self.timeout, 2,
                temperature=self.temperature, max_tokens=self.max_tokens,
            )  # fmt: skip
            asyncio.run(generate_openai(queries, settings, out))
        else:
            raise typer.BadParameter("give --generate-base-url, or --generate-engine transformers")


def _echo_result(summary: dict, out: Path) -> None:
    """The one-line result on stdout; exits 1 (after saying why) when the run failed."""
    from swift_scifi.judge.scripted import SCRIPTED_BANNER

    status = summary.get("status") or {"ok": True}
    overall = summary["overall"]
    if summary["criteria_scored"]:
        how = (
            "criterion-weighted" if summary.get("aggregation") == "criterion_weighted" else "mean of queries"
        )
        typer.echo(
            f"overall {overall['mean']:.3f} (1-10, {how}, 95% CI {overall['ci95'][0]:.3f}-"
            f"{overall['ci95'][1]:.3f}, protocol {summary.get('protocol')}); results in {out}"
        )
    if summary.get("scripted_judge"):
        typer.echo(f"WARNING: {SCRIPTED_BANNER}")
    if not status["ok"]:
        kinds = ", ".join(f"{k} {f['count']}" for k, f in (summary.get("failures") or {}).items())
        typer.secho(f"error: evaluation failed: {status['reason']}", fg=typer.colors.RED, err=True)
        if kinds:
            typer.secho(f"failures by kind: {kinds}", fg=typer.colors.RED, err=True)
        for kind, f in (summary.get("failures") or {}).items():
            typer.echo(f"  {kind}: {f.get('hint', '')}\n    e.g. {f['example'][:200]}", err=True)
        typer.echo(f"partial results and report in {out}", err=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_cmd(
        queries: str = _QUERIES,
        out: Path = typer.Option(..., help="Output folder (re-run into it to resume)."),
        judge_base_url: str = _JUDGE_URL,
        judge_model: str = _JUDGE_MODEL,
        judge_api_key: str = _JUDGE_KEY,
        responses: Path = typer.Option(
            None, exists=True, dir_okay=False, help="JSONL of index/response lines. Omit to generate them."
        ),
        protocol: str = typer.Option(
            "project",
            help="Scoring protocol: 'project' (default) or 'writingbench' (WritingBench's critic prompt, "
            "sampling, integer scores and criterion-weighted total); see docs/evaluation.md.",
        ),
        max_failed_share: float = typer.Option(
            0.1,
            min=0.0,
            max=1.0,
            help="Exit 1 when more than this share (0-1) of the judgements failed; nothing scored always fails.",
        ),
        concurrency: int = typer.Option(16, min=1, help="Judge calls in flight at once."),
        timeout: float = typer.Option(120.0, help="Seconds per judge call attempt."),
        retries: int = typer.Option(4, min=0, help="Extra attempts on timeouts, 5xx and malformed replies."),
        judge_max_tokens: int = typer.Option(
            None,
            help="Judge reply budget in tokens. Default: the protocol's (1,024 project, 2,048 writingbench).",
        ),
        rubric: str = typer.Option(
            None, help="Score every query on this rubric (e.g. 'scifi') instead of its checklist."
        ),
        requirement: str = typer.Option(
            None, help="Requirement subset name (style/format/length); default: from the file name."
        ),
        limit: int = typer.Option(None, min=1, help="Only the first N queries."),
        criteria_cache: Path = typer.Option(None, help="Cache folder for generated criteria."),
        resamples: int = typer.Option(2000, min=100, help="Bootstrap resamples for the 95% CIs."),
        report: bool = typer.Option(True, help="Write report.html."),
        generate_base_url: str = typer.Option(
            None, help="Generate responses from this OpenAI-compatible endpoint."
        ),
        generate_model: str = typer.Option(
            None, help="Model name (endpoint) or folder (transformers engine) that writes the responses."
        ),
        generate_engine: str = typer.Option(
            "openai", help="'openai' (an endpoint) or 'transformers' (ms-swift in process, CPU is fine)."
        ),
        model_type: str = typer.Option(None, help="ms-swift model_type for --generate-engine transformers."),
        template: str = typer.Option(None, help="ms-swift template for --generate-engine transformers."),
        max_tokens: int = typer.Option(2048, help="Max new tokens per generated response."),
        temperature: float = typer.Option(0.7, help="Sampling temperature for generation."),
    ) -> None:
        """Judge responses to WritingBench-format queries; write scores.jsonl, summary.json, report.html."""
        from swift_scifi.eval.criteria import DEFAULT_CACHE
        from swift_scifi.eval.protocol import load_protocol
        from swift_scifi.eval.records import load_queries
        from swift_scifi.eval.runner import EvalConfig, run_eval

        queries_file = _queries_path(queries)
        try:
            load_protocol(protocol)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--protocol") from exc
        if responses is None:
            if not generate_model:
                raise typer.BadParameter("give --responses, or --generate-model to generate them")
            responses = out / "responses.jsonl"
            out.mkdir(parents=True, exist_ok=True)
            generation = _Generation(
                generate_model, generate_base_url, generate_engine, model_type, template,
                max_tokens, temperature, concurrency, timeout,
            )  # fmt: skip
            generation.run(load_queries(queries_file, limit=limit), responses)
        with _judge_url(judge_base_url) as url:
            cfg = EvalConfig(
                queries=queries_file,
                responses=responses,
                out=out,
                rubric=rubric,
                requirement=requirement,
                judge=_settings(url, judge_model, judge_api_key, concurrency, timeout, retries),
                limit=limit,
                criteria_cache=criteria_cache or DEFAULT_CACHE,
                resamples=resamples,
                report=report,
                options={"generate_model": generate_model},
                protocol=protocol,
                judge_max_tokens=judge_max_tokens,
                max_failed_share=max_failed_share,
            )
            summary = _interruptible(run_eval, cfg)
        _echo_result(summary, out)

    @app.command("eval-generate")
    def eval_generate(
        queries: str = _QUERIES,
        out: Path = typer.Option(
            ..., dir_okay=False, help="Responses JSONL to write (resumes if it exists)."
        ),
        model: str = typer.Option(..., help="Model name (endpoint) or folder (transformers engine)."),
        base_url: str = typer.Option(None, help="OpenAI-compatible base URL (swift deploy, vLLM)."),
        engine: str = typer.Option(
            "openai", help="'openai' (an endpoint) or 'transformers' (ms-swift in process)."
        ),
        model_type: str = typer.Option(
            None, help="ms-swift model_type for --engine transformers (e.g. qwen3)."
        ),
        template: str = typer.Option(
            None, help="ms-swift template for --engine transformers (e.g. qwen3_nothinking)."
        ),
        limit: int = typer.Option(None, min=1, help="Only the first N queries."),
        max_tokens: int = typer.Option(2048, help="Max new tokens per response."),
        temperature: float = typer.Option(0.7, help="Sampling temperature."),
        concurrency: int = typer.Option(8, min=1, help="Requests in flight at once (openai engine)."),
        timeout: float = typer.Option(600.0, help="Seconds per request (openai engine)."),
    ) -> None:
        """Generate index/response lines (JSONL) for the queries."""
        from swift_scifi.eval.records import load_queries

        generation = _Generation(
            model, base_url, engine, model_type, template, max_tokens, temperature, concurrency, timeout
        )
        generation.run(load_queries(_queries_path(queries), limit=limit), out)
        typer.echo(f"responses in {out}")

    @app.command("eval-pairwise")
    def eval_pairwise(
        queries: str = _QUERIES,
        responses_a: Path = typer.Option(
            ..., exists=True, dir_okay=False, help="Model A's responses (JSONL)."
        ),
        responses_b: Path = typer.Option(
            ..., exists=True, dir_okay=False, help="Model B's responses (JSONL)."
        ),
        out: Path = typer.Option(..., help="Output folder (re-run into it to resume)."),
        judge_base_url: str = _JUDGE_URL,
        judge_model: str = _JUDGE_MODEL,
        judge_api_key: str = _JUDGE_KEY,
        concurrency: int = typer.Option(16, min=1, help="Judge calls in flight at once."),
        timeout: float = typer.Option(120.0, help="Seconds per judge call attempt."),
        retries: int = typer.Option(4, min=0, help="Extra attempts on timeouts, 5xx and malformed replies."),
        limit: int = typer.Option(None, min=1, help="Only the first N queries."),
    ) -> None:
        """Compare two models' responses, judged in both orders; write pairwise.jsonl and pairwise_summary.json."""
        from swift_scifi.eval.runner import PairwiseConfig, run_pairwise_eval

        queries_file = _queries_path(queries)
        with _judge_url(judge_base_url) as url:
            summary = _interruptible(
                run_pairwise_eval,
                PairwiseConfig(
                    queries=queries_file,
                    responses_a=responses_a,
                    responses_b=responses_b,
                    out=out,
                    judge=_settings(url, judge_model, judge_api_key, concurrency, timeout, retries),
                    limit=limit,
                ),
            )
        typer.echo(
            f"wrote {out / 'pairwise.jsonl'}, {out / 'pairwise_summary.json'} and {out / 'manifest.json'} "
            f"({summary['wins_a']} A wins, {summary['wins_b']} B wins, {summary['ties']} ties)"
        )
        if summary["judgements_failed"]:
            typer.secho(f"{summary['judgements_failed']} judgements failed (see 'error' in pairwise.jsonl)",
                        fg=typer.colors.YELLOW, err=True)  # fmt: skip
        if not summary["queries"]:
            typer.secho("error: evaluation failed: no pair was judged", fg=typer.colors.RED, err=True)
            raise typer.Exit(1)
