"""Generating responses for evaluation: a real `swift deploy` of the tiny model, and ms-swift in process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time

import httpx
import pytest

from tests.conftest import SWIFT_FLAGS_TINY, run_cli, subprocess_env, swift_exe
from tests.eval.fixtures import judge, writingbench_sample  # noqa: F401 (fixture)

DEPLOY_FLAGS = SWIFT_FLAGS_TINY[:4]


def _stop(proc: subprocess.Popen) -> None:
    """Stop the deploy process group we started (SIGTERM, then SIGKILL)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=20)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_models(url: str, proc: subprocess.Popen, log, timeout: float = 240) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f"swift deploy exited ({proc.returncode}):\n{log.read()[-4000:]}")
        try:
            return httpx.get(f"{url}/models", timeout=2).json()["data"][0]["id"]
        except (httpx.HTTPError, KeyError, IndexError, ValueError):
            time.sleep(1)
    pytest.fail("swift deploy did not come up in time")


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.swift
def test_eval_generates_through_real_swift_deploy(tmp_path, tiny_model, judge):  # noqa: F811
    queries = writingbench_sample(tmp_path, 3, max_chars=600)
    port = _free_port()
    with open(tmp_path / "deploy.log", "w+") as log:
        proc = subprocess.Popen(
            # `swift deploy` rejects --check_model (ms-swift 4.6), so only model_type and template are passed
            [
                swift_exe(),
                "deploy",
                "--model",
                str(tiny_model),
                *DEPLOY_FLAGS,
                "--infer_backend",
                "transformers",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=tmp_path,
            env=subprocess_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}/v1"
            model = _wait_for_models(url, proc, log)
            out = tmp_path / "out"
            run_cli(
                [
                    "eval",
                    "--queries",
                    str(queries),
                    "--generate-base-url",
                    url,
                    "--generate-model",
                    model,
                    "--max-tokens",
                    "12",
                    "--concurrency",
                    "2",
                    "--judge-base-url",
                    judge.base_url,
                    "--judge-model",
                    "scripted",
                    "--out",
                    str(out),
                    "--criteria-cache",
                    str(tmp_path / "cache"),
                ]
            )
        finally:
            _stop(proc)
    responses = _lines(out / "responses.jsonl")
    assert len(responses) == 3 and all(isinstance(r["response"], str) and r["response"] for r in responses)
    assert len(_lines(out / "scores.jsonl")) == 15
    assert json.loads((out / "summary.json").read_text())["criteria_scored"] == 15


@pytest.mark.swift
def test_documented_walk_tiny_model_writes_scripted_judge_scores(tmp_path, tiny_model):
    """docs/evaluation.md's five-minute walk, from a folder outside the checkout: the bundled example queries,
    the tiny model generating in process with ms-swift's engine, the built-in scripted judge."""
    proc = run_cli(
        ["eval", "--queries", "scifi-example", "--out", "walk", "--generate-engine", "transformers",
         "--generate-model", str(tiny_model), "--model-type", "qwen3", "--template", "qwen3_nothinking",
         "--max-tokens", "8", "--temperature", "0", "--judge-base-url", "scripted", "--judge-model", "scripted",
         "--criteria-cache", str(tmp_path / "cache")],
        cwd=tmp_path,
    )  # fmt: skip
    rows = _lines(tmp_path / "walk" / "responses.jsonl")
    assert [r["index"] for r in rows] == ["en-1", "en-2", "en-3", "zh-1", "zh-2", "zh-3"]
    assert all(isinstance(r["response"], str) for r in rows)
    summary = json.loads((tmp_path / "walk" / "summary.json").read_text())
    assert summary["criteria_scored"] == 24 and summary["status"]["ok"] and summary["scripted_judge"]
    assert "overall" in proc.stdout and "WARNING: SCRIPTED JUDGE" in proc.stdout
    assert (tmp_path / "walk" / "report.html").is_file()
