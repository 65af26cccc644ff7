"""A scripted OpenAI-compatible teacher on 127.0.0.1, for tests, benchmarks and dry runs of ``synth``.

It answers the synth prompts deterministically from their text (:data:`SCRIPTED_TEACHER_MARK` in every
reason): backtranslation fields made from the passage, ratings, minimal C-DPO rewrites (markdown emphasis
or an assistant closing line planted). Faults are chosen by a hash of the prompt, so the same prompts get
the same faults whatever the order or concurrency: ``malformed_every`` (no JSON), ``fenced_every`` (JSON in
a code fence with a trailing comma: repairable), ``fail_first_every`` (HTTP 503 on the first attempt of a
prompt, then fine), ``slow_every`` (sleeps ``slow_s``), ``low_score_every`` (rating 2), ``unchanged_every``
(a C-DPO "rewrite" that changes nothing). Request-order faults of :class:`ScriptedJudge` (``script``,
``every``) apply too. Other prompts (a principle check) get the scripted judge's answers.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter

from ..judge.scripted import ScriptedJudge, _answer

SCRIPTED_TEACHER_MARK = "[scripted teacher: plumbing test]"
_PASSAGE_RE = re.compile(r"<passage>\n(.*?)\n</passage>", re.DOTALL)
_TASK_RE = re.compile(r"^(?:Task type|任务类型)[:：]\s*(.+)$", re.MULTILINE)
_SENT_RE = re.compile(r"[^。！？.!?\n]+[。！？.!?]?")


def _h(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _zh(text: str) -> bool:
    return sum("\u4e00" <= c <= "\u9fff" for c in text[:200]) > 20


def _input_for(task: str, passage: str, zh: bool) -> str:
    if task in ("扩写", "expand"):
        return passage[: max(len(passage) // 4, 1)]
    if task in ("精简", "condense"):
        return passage + ("\n\n" if passage else "") + passage[: len(passage) // 2]
    return ("（草稿）" if zh else "(draft) ") + passage


def _generate(prompt: str) -> dict:
    passage = (_PASSAGE_RE.findall(prompt) or [""])[-1]
    task = (_TASK_RE.findall(prompt) or [""])[0].strip()
    zh = _zh(passage)
    skeleton = prompt[prompt.rfind("{") :]
    sents = [s.strip() for s in _SENT_RE.findall(passage) if s.strip()][:4]
    topic = sents[0][:12] if sents else ""
    out: dict[str, str] = {}
    if '"instruction"' in skeleton:
        out["instruction"] = (
            f"请完成一项写作任务（{task}），主题与“{topic}”有关。" if zh
            else f"Complete a writing task ({task}) about '{topic}'."
        )  # fmt: skip
    if '"input"' in skeleton:
        out["input"] = _input_for(task, passage, zh)
    if '"output"' in skeleton:
        out["output"] = "\n".join(f"{i + 1}. {s}" for i, s in enumerate(sents)) or "1. -"
    return out


def _rewrite(prompt: str, unchanged: bool) -> dict:
    passage = (_PASSAGE_RE.findall(prompt) or [""])[-1]
    listed = re.findall(r"^- ([a-z0-9-]+):", prompt, re.MULTILINE)
    zh = _zh(passage)
    if unchanged or not passage:
        return {"principle": listed[0] if listed else "", "rewrite": passage}
    if "no-markdown-emphasis" in listed:
        m = re.search(r"[\u4e00-\u9fff]{2}" if zh else r"[A-Za-z]{4,}", passage)
        if m:
            rewrite = passage[: m.start()] + f"**{m.group(0)}**" + passage[m.end() :]
            return {"principle": "no-markdown-emphasis", "rewrite": rewrite}
    # an assistant closing line: right for no-assistant-closing, unverifiable for another principle
    pid = "no-assistant-closing" if "no-assistant-closing" in listed else (listed or [""])[0]
    closing = "希望你喜欢这个故事！" if zh else "I hope you enjoyed this story!"
    return {"principle": pid, "rewrite": passage + "\n\n" + closing}


class ScriptedTeacher(ScriptedJudge):
    """``with ScriptedTeacher(latency_s=0.2, malformed_every=7) as t: t.base_url``."""

    def __init__(
        self,
        latency_s: float = 0.0,
        malformed_every: int = 0,
        fenced_every: int = 0,
        fail_first_every: int = 0,
        slow_every: int = 0,
        slow_s: float = 1.0,
        low_score_every: int = 0,
        unchanged_every: int = 0,
        **kwargs,
    ):
        super().__init__(latency_s=latency_s, **kwargs)
        self.malformed_every, self.fenced_every = malformed_every, fenced_every
        self.fail_first_every, self.slow_every, self.slow_s = fail_first_every, slow_every, slow_s
        self.low_score_every, self.unchanged_every = low_score_every, unchanged_every
        self.seen: Counter[int] = Counter()  # prompt hash -> requests
        self.faults: Counter[str] = Counter()
        self._seen_lock = threading.Lock()

    def _hit(self, every: int, h: int, salt: int) -> bool:
        return bool(every) and (h // salt) % every == 0

    def reply(self, body: dict) -> tuple[int, str]:
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        h = _h(prompt)
        with self._seen_lock:
            self.seen[h] += 1
            first = self.seen[h] == 1
        if first and self._hit(self.fail_first_every, h, 3):
            self.faults["503 first attempt"] += 1
            with self._lock:
                self.requests += 1
            return 503, json.dumps({"error": {"message": "scripted overload"}})
        if self._hit(self.slow_every, h, 5):
            self.faults["slow"] += 1
            time.sleep(self.slow_s)
        status, text = super().reply(body)  # latency, request-order faults, judge answers
        if status != 200 or '"choices"' not in text:
            return status, text
        if '"rewrite"' in prompt:
            answer: dict = _rewrite(prompt, self._hit(self.unchanged_every, h, 7))
        elif '"score": <integer 1-5>' in prompt or '"score": <1-5' in prompt:
            low = self._hit(self.low_score_every, h, 11)
            answer = {"reason": f"{SCRIPTED_TEACHER_MARK} rated by hash", "score": 2 if low else 5}
        elif "<passage>" in prompt:
            answer = _generate(prompt)
        else:
            answer = _answer(prompt)
        content = json.dumps(answer, ensure_ascii=False)
        if self._hit(self.malformed_every, h, 13):
            self.faults["malformed"] += 1
            content = "Sure, here is what you asked for: a lovely passage." if "<passage>" in prompt else "5"
        elif self._hit(self.fenced_every, h, 17):
            self.faults["fenced"] += 1
            content = "Here you go:\n```json\n" + content[:-1] + ",}\n```"
        return 200, json.dumps(
            {
                "id": f"chatcmpl-teacher-{h % 10**8}",
                "object": "chat.completion",
                "model": body.get("model", "scripted-teacher"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                    }
                ],  # fmt: skip
                "usage": {"prompt_tokens": len(prompt) // 3 + 1, "completion_tokens": len(content) // 3 + 1},
            },
            ensure_ascii=False,
        )


def main(argv: list[str] | None = None) -> None:
    """``python -m swift_scifi.synth.scripted_teacher [--port P] [--latency S] [--malformed-every K] ...``:
    serve until killed; prints the base URL."""
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency", type=float, default=0.0, help="seconds per reply")
    for name in ("malformed", "fenced", "fail-first", "slow", "low-score", "unchanged"):
        ap.add_argument(f"--{name}-every", type=int, default=0)
    ap.add_argument("--slow-s", type=float, default=1.0)
    a = ap.parse_args(argv)
    with ScriptedTeacher(
        latency_s=a.latency, port=a.port, malformed_every=a.malformed_every, fenced_every=a.fenced_every,
        fail_first_every=a.fail_first_every, slow_every=a.slow_every, slow_s=a.slow_s,
        low_score_every=a.low_score_every, unchanged_every=a.unchanged_every,
    ) as teacher:  # fmt: skip
        print(teacher.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
