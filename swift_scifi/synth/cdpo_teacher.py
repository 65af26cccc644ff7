"""scifi-cdpo: teacher-made Constitutional DPO pairs (Weaver), verified before they are kept.

Per job (a human passage): the principles of the library (``data/principles/principles.yaml``) that the
passage follows (rule-checked ones at full adherence, plus the judge-checked ones) are offered, up to
``candidates`` of them, and the teacher picks one and rewrites the passage minimally to violate it (step
``rewrite``). The pair (chosen = the human passage, rejected = the rewrite) is kept only when

- the edit is small: the same bounds as scifi-cdpo-rules (normalised Indel distance, length ratio;
  ``data/synth/cdpo_rules.yaml``);
- the rejected side violates the principle: by its rule check (adherence drops, the scifi_principles score
  does not rise), else by the judge (the teacher scores both sides on the principle, steps ``judge_chosen`` /
  ``judge_rejected``; the rejected side must score at least ``judge_margin`` lower on the 1-10 scale);
- the chosen side scores at least as well on every other scifi_* reward.

Verification reuses :mod:`swift_scifi.synth.cdpo_rules`. Rows are ms-swift DPO rows like scifi-cdpo-rules:
``messages`` (user: the continue prompt with the text before, assistant: chosen), ``rejected_response``,
``principle``, ``lang``, ``edit``.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from ..datasets.prompts import render
from ..judge.parsing import parse_score_reply
from ..judge.principles import judge_principles
from ..rewards.principle_library import Principle, load_principles
from .backtrans import DATA_DIR, _prompt
from .cdpo_rules import Pair, chosen_worse_on, edit_reason, verify
from .corruptions import Kind
from .passages import Passage
from .replies import parse_object, text_field
from .runner import Drop, Job, Keep, Request

CONTEXT_CHARS = 600  # characters of the text before the passage in the row's prompt


@lru_cache(maxsize=4096)
def _explain(text: str, lang: str) -> dict[str, Any]:
    from ..rewards import explain

    return explain(text, lang=lang)


class CdpoTeacher:
    """The scifi-cdpo method (see the module docstring)."""

    name = "scifi-cdpo"

    def __init__(self, candidates: int = 8, judge_margin: float = 2.0):
        self.candidates = candidates
        self.judge_margin = judge_margin
        self.library = {p.id: p for p in load_principles()}
        self.judged = {p.id: p for p in judge_principles()}
        from ..rewards.principle_library import library_info

        self.version = library_info()["version"]

    def jobs(self, passages: list[Passage]) -> list[Job]:
        return [Job(f"{p.key}:cdpo", p.lang, p.text, "", p.key, p.before) for p in passages]

    def offered(self, job: Job) -> list[Principle]:
        """The principles the passage follows, a deterministic sample of at most ``candidates``."""
        adherence = _explain(job.passage, job.lang)["principles"]
        ids = [pid for pid, a in adherence.items() if a >= 1.0 and pid in self.library]
        ids += [pid for pid, p in self.judged.items() if job.lang in p.langs]
        ids = [pid for pid in dict.fromkeys(ids) if job.lang in self.library[pid].langs]
        ids.sort(key=lambda pid: hashlib.sha256(f"{job.key}:{pid}".encode()).digest())
        return [self.library[pid] for pid in ids[: self.candidates]]

    def rewrite_messages(self, job: Job, offered: list[Principle]) -> list[dict[str, str]]:
        lines = "\n".join(f"- {p.id}: {p.description.get(job.lang) or p.description['en']}" for p in offered)
        return _prompt("cdpo_rewrite").messages(job.lang, principles=lines, passage=job.passage)

    def row(self, job: Job, rejected: str, pid: str, edit: float) -> dict[str, Any]:
        user = render(job.lang, "continue") + ("\n\n" + job.context[-CONTEXT_CHARS:] if job.context else "")
        return {
            "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": job.passage}],
            "rejected_response": rejected,
            "principle": pid,
            "lang": job.lang,
            "edit": round(edit, 4),
            "source": job.source,
        }

    def advance(self, job: Job, replies: dict[str, str]) -> Request | Keep | Drop:
        info: dict[str, Any] = {"lang": job.lang}
        offered = self.offered(job)
        if not offered:
            return Drop("no principle followed", info)
        if "rewrite" not in replies:
            return Request("rewrite", self.rewrite_messages(job, offered))
        obj, how = parse_object(replies["rewrite"])
        if obj is None:
            return Drop(how, info)
        info["repaired"] = how == "repaired"
        pid, rejected = text_field(obj, "principle"), text_field(obj, "rewrite")
        if not pid or not rejected:
            return Drop("missing principle or rewrite", info)
        if pid not in {p.id for p in offered}:
            return Drop("principle not offered", {**info, "principle_given": pid[:80]})
        info["principle"] = pid
        if rejected == job.passage:
            return Drop("rewrite unchanged", info)
        if pid in self.judged:
            return self._judged(job, replies, pid, rejected, info)
        pair = Pair(job.passage, rejected, Kind(f"teacher:{pid}", "principles", (pid,)), job.lang)
        info["edit"] = pair.edit
        reason = verify(pair)
        if reason:
            return Drop(reason, {**info, "rejected": rejected[:200]})
        return Keep(self.row(job, rejected, pid, pair.edit), info)

    def _judged(
        self, job: Job, replies: dict[str, str], pid: str, rejected: str, info: dict
    ) -> Request | Keep | Drop:
        """A judge-checked principle: edit bounds and other rewards first, then the teacher as judge."""
        pair = Pair(job.passage, rejected, Kind(f"teacher:{pid}", "principles", ()), job.lang)
        info["edit"] = pair.edit
        reason = edit_reason(pair)
        if reason is None:
            good, bad = _explain(job.passage, job.lang)["scores"], _explain(rejected, job.lang)["scores"]
            reason = chosen_worse_on(good, bad, None)
        if reason:
            return Drop(reason, info)
        jp, prompt = self.judged[pid], render(job.lang, "continue")
        scores = {}
        for stage, text in (("judge_chosen", job.passage), ("judge_rejected", rejected)):
            if stage not in replies:
                return Request(stage, jp.messages(job.lang, prompt, text))
            try:
                scores[stage] = parse_score_reply(replies[stage])["score"]
            except ValueError:
                return Drop("judge: malformed reply", info)
        if scores["judge_rejected"] > scores["judge_chosen"] - self.judge_margin:
            return Drop("principle not violated (judge)", info)
        return Keep(self.row(job, rejected, pid, pair.edit), info)


__all__ = ["DATA_DIR", "CdpoTeacher"]
