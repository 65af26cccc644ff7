"""LLM judge: OpenAI-compatible async client, prompt templates, rubrics and strict reply parsing.

Light to import (aiohttp, yaml). The GRPO rewards live in :mod:`swift_scifi.judge.rewards`, which imports ms-swift.
"""

from .client import CallOutcome, ChatClient, ClientSettings
from .parsing import MalformedReply, parse_json_object
from .prompts import JudgePrompt, load_prompt
from .rubrics import format_criterion, format_rubric, load_rubric

__all__ = [
    "CallOutcome",
    "ChatClient",
    "ClientSettings",
    "JudgePrompt",
    "MalformedReply",
    "format_criterion",
    "format_rubric",
    "load_prompt",
    "load_rubric",
    "parse_json_object",
]
