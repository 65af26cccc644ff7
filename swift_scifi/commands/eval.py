"""``swift-scifi eval``, ``eval-generate`` and ``eval-pairwise``: WritingBench-style judging of responses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer

_JUDGE_URL = typer.Option(
    ...,
    "--judge-base-url",
    envvar="SCIFI_JUDGE_BASE_URL",
    help="OpenAI-compatible base URL of the judge, e.g. http://127.0.0.1:8000/v1.",
)
_JUDGE_MODEL = typer.Option(..., "--judge-model", envvar="SCIFI_JUDGE_MODEL", help="Judge model name.")
_JUDGE_KEY = typer.Option(None, "--judge-api-key", envvar="SCIFI_JUDGE_API_KEY", help="Bearer key, if any.")


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


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_cmd(
        queries: Path = typer.Option(
            ..., exists=True, dir_okay=False, help="WritingBench-format queries (JSONL)."
        ),
        out: Path = typer.Option(..., help="Output folder (re-run into it to resume)."),
        judge_base_url: str = _JUDGE_URL,
        judge_model: str = _JUDGE_MODEL,
        judge_api_key: str = _JUDGE_KEY,
        responses: Path = typer.Option(
            None, dir_okay=False, help="{index, response} JSONL. Omit to generate."
        ),
        concurrency: int = typer.Option(16, min=1, help="Judge calls in flight at once."),
        timeout: float = typer.Option(120.0, help="Seconds per judge call attempt."),
        retries: int = typer.Option(4, min=0, help="Extra attempts on timeouts, 5xx and malformed replies."),
        judge_max_tokens: int = typer.Option(
            1024, help="Judge reply budget (raise it for reasoning judges)."
        ),
        rubric: str = typer.Option(
            None, help="Score every query on this rubric (e.g. 'scifi') instead of its checklist."
        ),
        requirement: str = typer.Option(
            None, help="Requirement subset name (style/format/length); default: from file name."
        ),
        limit: int = typer.Option(None, min=1, help="Only the first N queries."),
        criteria_cache: Path = typer.Option(None, help="Cache folder for generated criteria."),
        resamples: int = typer.Option(2000, min=100, help="Bootstrap resamples for the 95% CIs."),
        report: bool = typer.Option(True, help="Write report.html."),
        generate_base_url: str = typer.Option(
            None, help="Generate responses from this OpenAI-compatible endpoint."
        ),
        generate_model: str = typer.Option(
            None, help="Model name (endpoint) or folder (transformers engine)."
        ),
        generate_engine: str = typer.Option(
            "openai", help="'openai' (an endpoint) or 'transformers' (in process)."
        ),
        model_type: str = typer.Option(None, help="ms-swift model_type for --generate-engine transformers."),
        template: str = typer.Option(None, help="ms-swift template for --generate-engine transformers."),
        max_tokens: int = typer.Option(2048, help="Max new tokens per generated response."),
        temperature: float = typer.Option(0.7, help="Sampling temperature for generation."),
    ) -> None:
        """Judge responses to WritingBench-format queries; write scores.jsonl, summary.json, report.html."""
        from swift_scifi.eval.criteria import DEFAULT_CACHE
        from swift_scifi.eval.records import load_queries
        from swift_scifi.eval.runner import EvalConfig, run_eval

        if responses is None:
            if not generate_model:
                raise typer.BadParameter("give --responses, or --generate-model to generate them")
            responses = out / "responses.jsonl"
            out.mkdir(parents=True, exist_ok=True)
            generation = _Generation(
                generate_model, generate_base_url, generate_engine, model_type, template,
                max_tokens, temperature, concurrency, timeout,
            )  # fmt: skip
            generation.run(load_queries(queries, limit=limit), responses)
        cfg = EvalConfig(
            queries=queries,
            responses=responses,
            out=out,
            rubric=rubric,
            requirement=requirement,
            judge=_settings(
                judge_base_url,
                judge_model,
                judge_api_key,
                concurrency,
                timeout,
                retries,
                max_tokens=judge_max_tokens,
            ),
            limit=limit,
            criteria_cache=criteria_cache or DEFAULT_CACHE,
            resamples=resamples,
            report=report,
            options={"generate_model": generate_model},
        )
        summary = _interruptible(run_eval, cfg)
        typer.echo(
            f"overall {summary['overall']['mean']:.3f} (95% CI {summary['overall']['ci95'][0]:.3f}-"
            f"{summary['overall']['ci95'][1]:.3f}); results in {out}"
        )

    @app.command("eval-generate")
    def eval_generate(
        queries: Path = typer.Option(
            ..., exists=True, dir_okay=False, help="WritingBench-format queries (JSONL)."
        ),
        out: Path = typer.Option(
            ..., dir_okay=False, help="Responses JSONL to write (resumes if it exists)."
        ),
        model: str = typer.Option(..., help="Model name (endpoint) or folder (transformers engine)."),
        base_url: str = typer.Option(None, help="OpenAI-compatible base URL (swift deploy, vLLM)."),
        engine: str = typer.Option("openai", help="'openai' or 'transformers' (ms-swift in process)."),
        model_type: str = typer.Option(None),
        template: str = typer.Option(None),
        limit: int = typer.Option(None, min=1),
        max_tokens: int = typer.Option(2048),
        temperature: float = typer.Option(0.7),
        concurrency: int = typer.Option(8, min=1),
        timeout: float = typer.Option(600.0),
    ) -> None:
        """Generate {index, response} lines for the queries."""
        from swift_scifi.eval.records import load_queries

        generation = _Generation(
            model, base_url, engine, model_type, template, max_tokens, temperature, concurrency, timeout
        )
        generation.run(load_queries(queries, limit=limit), out)
        typer.echo(f"responses in {out}")

    @app.command("eval-pairwise")
    def eval_pairwise(
        queries: Path = typer.Option(..., exists=True, dir_okay=False),
        responses_a: Path = typer.Option(..., exists=True, dir_okay=False, help="Model A's responses."),
        responses_b: Path = typer.Option(..., exists=True, dir_okay=False, help="Model B's responses."),
        out: Path = typer.Option(..., help="Output folder (re-run into it to resume)."),
        judge_base_url: str = _JUDGE_URL,
        judge_model: str = _JUDGE_MODEL,
        judge_api_key: str = _JUDGE_KEY,
        concurrency: int = typer.Option(16, min=1),
        timeout: float = typer.Option(120.0),
        retries: int = typer.Option(4, min=0),
        limit: int = typer.Option(None, min=1),
    ) -> None:
        """Compare two models' responses, judged in both orders; write pairwise.jsonl and pairwise_summary.json."""
        from swift_scifi.eval.runner import PairwiseConfig, run_pairwise_eval

        _interruptible(
            run_pairwise_eval,
            PairwiseConfig(
                queries=queries,
                responses_a=responses_a,
                responses_b=responses_b,
                out=out,
                judge=_settings(judge_base_url, judge_model, judge_api_key, concurrency, timeout, retries),
                limit=limit,
            ),
        )
