"""scifi-cdpo (teacher-made C-DPO): the verifier keeps only small edits that break the chosen principle by its
rule (or the judge) and leave the chosen side no worse on every other reward; a run against the scripted
teacher counts every drop, and the offline path (export prompts, ingest `swift sample`-shaped replies)
resumes through the same journal."""

from __future__ import annotations

import asyncio
import json

import pytest

from swift_scifi.rewards import explain
from swift_scifi.synth.cdpo_teacher import CdpoTeacher
from swift_scifi.synth.quality import build_report
from swift_scifi.synth.runner import (
    Drop,
    Job,
    Keep,
    Request,
    export_prompts,
    ingest_samples,
    run_offline,
    run_online,
)
from swift_scifi.synth.scripted_teacher import ScriptedTeacher
from swift_scifi.synth.teacher import TeacherSettings, Usage
from tests.synth.test_cdpo_rules import EN, ZH

JOB_EN = Job("t:en:cdpo", "en", EN, "", "t:en", "The station had been silent for a week.")
JOB_ZH = Job("t:zh:cdpo", "zh", ZH, "", "t:zh")


@pytest.fixture(scope="module")
def method():
    return CdpoTeacher(candidates=40)


def _reply(pid: str, rewrite: str) -> dict[str, str]:
    return {"rewrite": json.dumps({"principle": pid, "rewrite": rewrite}, ensure_ascii=False)}


def test_offered_principles_are_followed_and_the_request_lists_them(method):
    offered = method.offered(JOB_EN)
    good = explain(EN, lang="en")["principles"]
    assert offered and all(good.get(p.id, 1.0) >= 1.0 and "en" in p.langs for p in offered)
    step = method.advance(JOB_EN, {})
    assert isinstance(step, Request) and step.stage == "rewrite"
    assert all(f"- {p.id}:" in step.messages[-1]["content"] for p in offered)


def test_a_minimal_rule_breaking_rewrite_is_kept_as_a_dpo_row(method):
    bad = EN.replace("the cold air", "the **cold** air", 1)
    step = method.advance(JOB_EN, _reply("no-markdown-emphasis", bad))
    assert isinstance(step, Keep), step
    row = step.row
    assert row["rejected_response"] == bad and row["messages"][-1]["content"] == EN
    assert row["messages"][0]["content"].startswith("Continue the passage below.")
    assert "silent for a week" in row["messages"][0]["content"] and 0 < row["edit"] < 0.02
    assert explain(bad, lang="en")["principles"]["no-markdown-emphasis"] < 1.0


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ({"rewrite": "I rewrote it for you."}, "malformed reply: no JSON object"),
        (_reply("no-markdown-emphasis", EN), "rewrite unchanged"),
        (_reply("not-a-principle", EN + "!"), "principle not offered"),
        (_reply("no-markdown-emphasis", EN.replace("cold", "chill")), "principle not violated"),
        (_reply("no-markdown-emphasis", "**Gone.** " + EN[: len(EN) // 2]), "edit too large"),
    ],
    ids=["malformed", "unchanged", "not-offered", "not-violated", "too-large"],
)
def test_the_verifier_drops_what_it_must(method, reply, reason):
    step = method.advance(JOB_EN, reply)
    assert isinstance(step, Drop) and step.reason == reason


def test_a_rewrite_that_improves_another_reward_is_dropped(method):
    slop = " A shiver ran down her spine, a testament to the tapestry of fate."
    job = Job("t:slop:cdpo", "en", EN + slop, "", "t:slop")
    step = method.advance(
        job, _reply("no-markdown-emphasis", EN.replace("the cold air", "the **cold** air", 1))
    )
    assert isinstance(step, Drop) and step.reason == "chosen worse on slop"


def test_a_judge_principle_asks_the_teacher_to_judge_both_sides(method):
    judged = next(pid for pid, p in method.judged.items() if "en" in p.langs)
    bad = EN.replace("She said nothing.", "She said nothing, though she felt afraid.")
    replies = _reply(judged, bad)
    step = method.advance(JOB_EN, replies)
    assert isinstance(step, Request) and step.stage == "judge_chosen"
    replies["judge_chosen"] = '{"score": 9, "reason": "follows it"}'
    step = method.advance(JOB_EN, replies)
    assert isinstance(step, Request) and step.stage == "judge_rejected"
    replies["judge_rejected"] = '{"score": 8, "reason": "mostly"}'
    assert method.advance(JOB_EN, replies).reason == "principle not violated (judge)"
    replies["judge_rejected"] = '{"score": 3, "reason": "breaks it"}'
    kept = method.advance(JOB_EN, replies)
    assert isinstance(kept, Keep) and kept.row["principle"] == judged


def test_run_against_the_scripted_teacher_and_the_offline_path(method, tmp_path):
    from swift_scifi.synth.passages import load_passages

    jobs = method.jobs(load_passages(units=400))[:16]
    with ScriptedTeacher(malformed_every=5, unchanged_every=4) as teacher:
        s = TeacherSettings((teacher.base_url,), "scripted", concurrency=8)
        outcomes, session = asyncio.run(
            run_online(jobs, method, s, tmp_path / "a.journal.jsonl", progress=False)
        )
        # the offline path: the same requests written out, answered (as swift sample would), ingested
        journal = tmp_path / "b.journal.jsonl"
        prompts = tmp_path / "prompts.jsonl"
        assert export_prompts(jobs, method, journal, prompts) == len(jobs)
        rows = [json.loads(x) for x in prompts.read_text().splitlines()]
        samples = tmp_path / "sample.jsonl"
        with samples.open("w") as fh:
            for row in rows:
                _, text = teacher.reply({"messages": row["messages"][:-1]})
                content = json.loads(text)["choices"][0]["message"]["content"]
                fh.write(json.dumps({"messages": [*row["messages"][:-1], {"role": "assistant", "content": content}]})
                         + "\n")  # fmt: skip
            fh.write(json.dumps({"messages": [{"role": "user", "content": "other"}, {"role": "assistant",
                                                                                      "content": "x"}]}) + "\n")  # fmt: skip
    counts = ingest_samples(jobs, method, journal, [samples])
    assert counts["ingested"] + counts["duplicate"] == len(jobs) and counts["unmatched"] == 1
    assert ingest_samples(jobs, method, journal, [samples])["ingested"] == 0  # nothing ingested twice
    offline = run_offline(jobs, method, journal)
    kept = [o for o in outcomes.values() if isinstance(o, Keep)]
    report = build_report(method.name, jobs, outcomes, Usage(), s, session)
    assert report["kept"] == len(kept) >= 1 and report["failed"] == 0 and report["dropped"] >= 3
    assert {"rewrite unchanged", "malformed reply: no JSON object"} <= set(report["dropped_by_reason"])
    assert report["edit_distance"]["n"] == len(kept) and report["edit_distance"]["max"] <= 0.25
    for o in kept:
        r = o.row
        pid = r["principle"]
        good, bad = (
            explain(r["messages"][-1]["content"], lang=r["lang"]),
            explain(r["rejected_response"], lang=r["lang"]),
        )
        assert bad["principles"][pid] < good["principles"][pid]
    # judge-checked principles ask more questions in the offline path: compare only what both finished
    same = [k for k, o in offline.items() if isinstance(o, (Keep, Drop)) and k in outcomes]
    assert same and all(type(offline[k]) is type(outcomes[k]) for k in same)
