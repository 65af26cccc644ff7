"""Why judgements failed, by kind, and whether a run failed as a whole.

A run fails when nothing was scored, or when the share of failed judgements (criteria that stayed unscored
after all retries, plus queries whose criteria could not be generated) exceeds ``max_failed_share`` (0..1).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

# (kind, pattern on the error text the judge client records), first match wins
_KINDS = (
    ("timeout", re.compile(r"timeout|timed out", re.I)),
    (
        "unreachable",
        re.compile(
            r"ClientConnector|Connection refused|Cannot connect|ServerDisconnected|"
            r"ClientOSError|Connection reset|Name or service",
            re.I,
        ),
    ),  # fmt: skip
    ("server_error", re.compile(r"HTTP (5\d\d|429)")),
    ("rejected_request", re.compile(r"HTTP 4\d\d")),
    ("invalid_score", re.compile(r"score .*(outside|integer|not a number)|score must be", re.I)),
    ("malformed_reply", re.compile(r"MalformedReply|no JSON|not a chat completion|no text content", re.I)),
)

HINTS = {
    "timeout": "the judge did not answer in time: raise --timeout or lower --concurrency",
    "unreachable": "nothing answered at --judge-base-url: is the judge server running, and is the URL right?",
    "server_error": "the judge server failed (5xx/429): see its log; lower --concurrency",
    "rejected_request": "the judge refused the request (4xx): check --judge-model and --judge-api-key",
    "invalid_score": "the judge's scores were outside the protocol's rule (e.g. decimals under writingbench)",
    "malformed_reply": "the judge's replies were not the JSON asked for: raise --judge-max-tokens or use a "
    "stronger judge",
    "criteria_generation": "criteria could not be generated for some queries (the judge failed); give "
    "criteria in the query file or use --rubric",
    "no_response": "these queries have no response: generation failed (see responses.jsonl) or the responses "
    "file lacks their index; not counted in the failed share",
    "other": "see the 'error' field in scores.jsonl",
}


def failure_kind(error: str) -> str:
    """The kind of one recorded error: timeout | unreachable | server_error | rejected_request |
    invalid_score | malformed_reply | other."""
    for kind, pattern in _KINDS:
        if pattern.search(error or ""):
            return kind
    return "other"


def count_failures(
    records: Iterable[dict[str, Any]], no_criteria: int = 0, no_response: int = 0
) -> dict[str, dict[str, Any]]:
    """``{kind: {"count", "example", "hint"}}`` over final records with an error, plus ``criteria_generation``
    (queries whose criteria could not be generated) and ``no_response`` (queries without a response)."""
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for rec in records:
        if rec.get("error") or rec.get("score") is None:
            error = str(rec.get("error") or "no score recorded")
            kind = failure_kind(error)
            counts[kind] += 1
            examples.setdefault(kind, error[:300])
    if no_criteria:
        counts["criteria_generation"] += no_criteria
        examples.setdefault("criteria_generation", f"{no_criteria} queries got no criteria")
    if no_response:
        counts["no_response"] += no_response
        examples.setdefault("no_response", f"{no_response} queries have no response")
    return {
        k: {"count": n, "example": examples[k], "hint": HINTS.get(k, "")} for k, n in counts.most_common()
    }


def run_status(summary: dict[str, Any], max_failed_share: float) -> dict[str, Any]:
    """``{"ok", "failed_share", "max_failed_share", "reason"}`` for a summary from :func:`aggregate`."""
    no_criteria = len((summary.get("queries_skipped") or {}).get("no_criteria", []))
    failed = summary["criteria_failed"] + no_criteria
    attempted = summary["criteria_scored"] + failed
    share = failed / attempted if attempted else 1.0
    status = {"ok": True, "failed_share": round(share, 4), "max_failed_share": max_failed_share, "reason": ""}
    if summary["criteria_scored"] == 0:
        status.update(ok=False, reason="nothing was scored")
    elif share > max_failed_share:
        status.update(
            ok=False,
            reason=f"{failed} of {attempted} judgements failed ({share:.0%} > --max-failed-share "
            f"{max_failed_share:.0%})",
        )
    return status
