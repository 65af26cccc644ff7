"""The judge-side principles of the principle library (``check: {type: judge}``), as judge prompts.

The library itself (``swift_scifi/data/principles/principles.yaml``) is loaded by
:func:`swift_scifi.rewards.principles.load_principles`; rule-checked principles are scored there.
"""

from __future__ import annotations

from dataclasses import dataclass

from .prompts import load_prompt


@dataclass(frozen=True)
class JudgePrinciple:
    id: str
    langs: tuple[str, ...]
    description: dict[str, str]
    question: str
    follows: str
    violates: str

    def messages(self, lang: str, prompt: str, completion: str) -> list[dict[str, str]]:
        """Chat messages asking the judge for a 1..10 adherence score with a quoted reason."""
        lang = lang if lang in self.description else "en"
        return load_prompt("principle_check").messages(
            lang,
            principle=self.description.get(lang) or self.description["en"],
            instructions=self.question,
            follows=" ".join(self.follows.split()),
            violates=" ".join(self.violates.split()),
            query=prompt,
            response=completion,
        )


def judge_principles(path: str | None = None) -> list[JudgePrinciple]:
    """Every principle whose check is ``judge`` (rules cannot check it), from the library at ``path``."""
    from ..rewards.principles import load_principles

    return [
        JudgePrinciple(
            id=p.id,
            langs=p.langs,
            description=p.description,
            question=str(p.check.get("prompt", "")),
            follows=p.follows,
            violates=p.violates,
        )
        for p in load_principles(path)
        if not p.is_rule
    ]
