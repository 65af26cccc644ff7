"""Python API of best-of-n: :func:`rerank` orders passages you have; :func:`generate` asks an
OpenAI-compatible endpoint (``swift deploy``, vLLM, lmdeploy) for n of them first.

Both return :class:`~swift_scifi.serve.ranking.RankedCandidate` objects, best first; ``.score`` is the
weighted mean of ``.rewards`` (each in [0, 1], higher is better).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..rewards.inputs import prompt_text
from .ranking import RankedCandidate, Scorer, rank_texts


def rerank(
    candidates: Sequence[str],
    *,
    prompt: str | None = None,
    terms: Sequence[str] | None = None,
    target_length: int | None = None,
    lang: str | None = None,
    weights: Mapping[str, float] | None = None,
    scorer: Scorer | None = None,
) -> list[RankedCandidate]:
    """Rank ``candidates`` by the scifi rewards, best first.

    ``terms`` are the glossary terms to keep consistent, ``target_length`` the wanted length (CJK characters
    plus English words), ``lang`` 'zh' or 'en' (default: detected). The key is ``rewards["writing"]``, or with
    ``weights`` the weighted mean of the named rewards (see :func:`~swift_scifi.serve.ranking.total_score`).
    """
    columns = _columns(
        prompt=prompt,
        terms=list(terms) if terms is not None else None,
        target_length=target_length,
        lang=lang,
    )
    return rank_texts(list(candidates), scorer=scorer, weights=weights, **columns)


def generate(
    messages: str | list[dict],
    *,
    base_url: str,
    model: str,
    n: int = 4,
    api_key: str | None = None,
    terms: Sequence[str] | None = None,
    target_length: int | None = None,
    lang: str | None = None,
    weights: Mapping[str, float] | None = None,
    timeout: float = 120.0,
    **sampling,
) -> list[RankedCandidate]:
    """Ask ``base_url`` (an OpenAI base URL ending in /v1) for ``n`` completions of ``messages`` (a prompt
    string or chat messages) and return them ranked, best first. ``sampling`` (temperature, max_tokens, ...)
    goes to the backend unchanged; for n > 1 ``temperature`` defaults to 1.0 (greedy gives n equal texts)."""
    from openai import OpenAI

    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if n > 1 and sampling.get("temperature") is None:
        sampling["temperature"] = 1.0
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    client = OpenAI(base_url=base_url, api_key=api_key or "EMPTY", timeout=timeout)
    texts: list[str] = []
    while len(texts) < n:  # backends without n>1 (lmdeploy) return one choice per call
        asked = n if not texts else 1
        reply = client.chat.completions.create(model=model, messages=messages, n=asked, **sampling)
        if not reply.choices:
            raise RuntimeError(f"{base_url} returned no choices")
        texts += [choice.message.content or "" for choice in reply.choices]
    return rerank(
        texts[:n],
        prompt=prompt_text(messages),
        terms=terms,
        target_length=target_length,
        lang=lang,
        weights=weights,
    )


def _columns(**columns) -> dict:
    return {name: value for name, value in columns.items() if value is not None}
