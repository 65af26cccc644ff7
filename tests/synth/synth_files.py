"""Small scifi-backtrans and scifi-cdpo files made with the scripted teacher (for real `swift` runs)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from swift_scifi.synth.backtrans import Backtrans
from swift_scifi.synth.cdpo_teacher import CdpoTeacher
from swift_scifi.synth.passages import load_passages
from swift_scifi.synth.runner import journal_path, ordered_rows, run_online, write_jsonl
from swift_scifi.synth.scripted_teacher import ScriptedTeacher
from swift_scifi.synth.teacher import TeacherSettings


def build_synth_files(folder: Path, units: int = 80, jobs: int = 24) -> dict[str, str]:
    """Build both files with short passages (rows fit a 384-token budget); returns their environment."""
    passages = load_passages(units=units)
    files = {"SCIFI_BACKTRANS": folder / "scifi-backtrans.jsonl", "SCIFI_CDPO": folder / "scifi-cdpo.jsonl"}
    with ScriptedTeacher() as teacher:
        settings = TeacherSettings((teacher.base_url,), "scripted", concurrency=8)
        for method, out in ((Backtrans(), files["SCIFI_BACKTRANS"]), (CdpoTeacher(), files["SCIFI_CDPO"])):
            js = method.jobs(passages)[:jobs]
            outcomes, _ = asyncio.run(run_online(js, method, settings, journal_path(out), progress=False))
            rows = ordered_rows(js, outcomes)
            assert len(rows) >= 4 and {r["lang"] for r in rows} == {"zh", "en"}, (out, len(rows))
            write_jsonl(out, rows)
    return {k: str(v) for k, v in files.items()}
