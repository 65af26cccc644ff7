"""The studio as editors use it: `swift-scifi studio` on 127.0.0.1 (real SQLite store, real rewards) in
front of a scripted streaming OpenAI-compatible backend, driven by Playwright in Debian's headless
Chromium. One server for the module; the tests run in order, each flow building on the last, and save a
screenshot per flow (under the test's tmp folder; also into $SCIFI_STUDIO_SHOTS when set, which is how
docs/img/studio_*.png were made)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from swift_scifi.studio.store import Store
from tests.browser import chromium
from tests.conftest import run_cli
from tests.serve.conftest import ServerProcess, free_port

from .scripted_backend import scripted_backend

TOKEN = "shared-token-123"
EDITOR, PASSWORD = "ana", "correct-horse-9"
EN_BOOK = """Chapter 1

Elara Voss came up from the docks of Tian Gong at dawn. Elara had slept two hours. The ring of Tian Gong
turned under her boots, and the old freighter Kestrel waited at berth nine.

Chapter 2

Elara signed the manifest. The Kestrel would leave Tian Gong at noon, with Elara at the helm and forty
tons of ice in the hold. Nobody on the Kestrel asked why.
"""
ZH_BOOK = """第一章 启航

章北海站在舰桥上。曲率引擎正在预热，章北海没有说话。舰员们都知道，曲率引擎一旦启动就不能回头。

第二章 远行

章北海看着星图。曲率引擎的轰鸣传遍全舰，章北海下达了命令。
"""


class Backend:
    """The scripted backend on a fixed port, which can be stopped and started again (backend down)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.calls: list[dict] = []
        self.start()

    def start(self) -> None:
        config = uvicorn.Config(
            scripted_backend(self.calls), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "scripted backend did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="module")
def backend():
    server = Backend()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("studio-shots")
    extra = os.environ.get("SCIFI_STUDIO_SHOTS")

    def save(page, name: str, full_page: bool = True) -> Path:
        path = folder / f"studio_{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 20_000  # a real render, not a blank page
        if extra:
            shutil.copy(path, Path(extra) / path.name)
        return path

    return save


@pytest.fixture(scope="module")
def studio(backend, tmp_path_factory):
    work = tmp_path_factory.mktemp("studio")
    db = f"sqlite:///{work / 'studio.db'}"
    made = run_cli(["studio-editor", EDITOR, "--db", db], SCIFI_STUDIO_PASSWORD=PASSWORD)
    assert f"editor {EDITOR} created" in made.stdout
    port = free_port()
    args = [sys.executable, "-m", "swift_scifi.cli", "studio", "--backend-url", backend.url, "--db", db,
            "--port", str(port), "--token", TOKEN]  # fmt: skip
    server = ServerProcess(args, work / "studio.log", port, work)
    try:
        server.wait_ready("/", timeout=120)
        server.db = db
        server.work = work
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def page(studio):
    from playwright.sync_api import expect

    # a UI update after a server round trip (create project -> load its glossary) can take more than expect's
    # 5 s default when the suite's xdist workers share a small CPU: the same 30 s as the page's actions
    expect.set_options(timeout=30_000)
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        pg = context.new_page()
        pg.dialogs = []
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))  # a script that ran
        pg.set_default_timeout(30_000)
        yield pg
        context.close()
    expect.set_options(timeout=None)  # back to the default for other modules


def fill(pg, elem_id: str, text: str) -> None:
    pg.locator(f"#{elem_id} textarea, #{elem_id} input").first.fill(text)


def value(pg, elem_id: str) -> str:
    return pg.locator(f"#{elem_id} textarea, #{elem_id} input").first.input_value()


def tab(pg, name: str) -> None:
    pg.get_by_role("tab", name=re.compile(name)).click()


def login(pg, url: str, name: str, password: str) -> None:
    pg.goto(url)
    pg.wait_for_selector("input[type=password]")
    pg.locator("input").first.fill(name)
    pg.locator("input[type=password]").fill(password)
    pg.keyboard.press("Enter")


def test_login_needs_an_account_or_the_token(page, studio, shots):
    from playwright.sync_api import expect

    login(page, studio.url, EDITOR, "wrong-password")
    expect(page.get_by_text(re.compile("Incorrect|不正确", re.I))).to_be_visible()
    shots(page, "login", full_page=False)
    login(page, studio.url, EDITOR, PASSWORD)
    expect(page.locator("#new-name")).to_be_visible()


def test_the_api_needs_a_login_too(studio):
    """gradio's HTTP API (what the page calls) answers nothing without the login cookie, and takes no
    server paths for imports."""
    import httpx

    r = httpx.post(f"{studio.url}/gradio_api/run/projects", json={"data": []}, timeout=10)
    assert r.status_code == 401 and "bench" not in r.text
    with httpx.Client(base_url=studio.url, timeout=10) as client:
        assert client.post("/login", data={"username": "x", "password": "nope-nope"}).status_code == 400
        assert client.post("/login", data={"username": "bo", "password": TOKEN}).status_code == 200
        assert client.post("/gradio_api/run/projects", json={"data": []}).status_code == 200
        # an import reads only a file the editor uploaded: a server path sent to the API is refused
        for path in ("/etc/passwd", "../../../../etc/passwd"):
            upload = {"path": path, "meta": {"_type": "gradio.FileData"}}
            r = client.post("/gradio_api/run/create_project", json={"data": ["p", "", "", "", upload]})
            assert r.status_code != 200 and "not uploaded by a user" in r.text
    with Store(studio.db) as store:
        assert store.list_projects() == []


def test_create_project_by_import_generate_and_read_highlights(page, studio, backend, shots, tmp_path):
    from playwright.sync_api import expect

    book = tmp_path / "kestrel.txt"
    book.write_text(EN_BOOK, encoding="utf-8")
    fill(page, "new-name", "Kestrel")
    fill(page, "new-setting", "A ring station, Tian Gong, orbiting Saturn; ice haulers and their crews.")
    fill(page, "new-glossary", "Elara")
    page.locator("#upload input[type=file]").set_input_files(str(book))
    page.click("#create-project")
    expect(page.locator("#create-msg")).to_contain_text("with 2 chapters")
    expect(page.locator("#glossary textarea")).to_have_value(re.compile(r"Tian Gong"))  # by the extractor
    expect(page.locator("#glossary textarea")).to_have_value(re.compile(r"Kestrel"))
    expect(page.locator("#chapters")).to_contain_text("Chapter 2")
    shots(page, "project")

    tab(page, "Generate")
    fill(page, "instruction", "The Kestrel leaves the station.")
    page.click("#generate")
    expect(page.locator("#gen-status")).to_contain_text("Done: 2 candidates")
    term = page.locator("#hl-1 mark.hl-term").first
    expect(term).to_have_text("Elera")
    assert "glossary term “Elara”" in term.get_attribute("data-reason")
    assert page.locator("#hl-1 mark.hl-slop").count() >= 1
    assert "no-dream-ending" in page.locator("#hl-1 mark.hl-principle").first.get_attribute("data-reason")
    # model text is inert: the <script> of the candidate shows as text and never runs
    expect(page.locator("#hl-1")).to_contain_text("<script>alert('x')</script>")
    assert page.locator("#hl-1 script").count() == 0 and page.dialogs == []
    expect(page.locator("#bd-1")).to_contain_text("reranker rank")
    assert value(page, "order") in ("1, 2", "2, 1")
    term.hover()
    shots(page, "generate")

    # the prompt carried the world bible (glossary quoted) and the imported chapters
    sent = json.dumps(backend.calls[-1]["messages"], ensure_ascii=False)
    assert "“Elara”" in sent and "Saturn" in sent and "forty" in sent and "leaves the station" in sent

    order = "2, 1" if value(page, "order") == "1, 2" else "1, 2"
    fill(page, "order", order)
    page.click("#save-order")
    expect(page.locator("#gen-msg")).to_contain_text("Saved your ranking")
    page.locator("#thumb label", has_text="good").click()
    page.click("#rate")
    expect(page.locator("#gen-msg")).to_contain_text("Saved your rating")
    with Store(studio.db) as store:
        assert [r["editor"] for r in store.rankings()] == [EDITOR]
        assert [r["thumb"] for r in store.ratings()] == [True]


def test_arena_vote_reveals_names_and_updates_the_leaderboard(page, studio, shots):
    from playwright.sync_api import expect

    tab(page, "Arena")
    page.click("#battle")
    expect(page.locator("#side-a textarea")).to_have_value(re.compile("Captain"))
    body = page.locator("body").inner_text()  # the visible page: other tabs are hidden
    assert "writer-a" not in body and "writer-b" not in body  # no names before the vote
    assert "reranker rank" not in body and "total 0." not in body  # and no scores
    page.locator("#outcome").get_by_role("radio", name="A", exact=True).check()
    page.click("#vote")
    expect(page.locator("#reveal")).to_contain_text("A was")
    expect(page.locator("#reveal")).to_contain_text("writer-")
    expect(page.locator("#leaderboard")).to_contain_text("writer-a")
    expect(page.locator("#vote")).to_be_disabled()
    shots(page, "arena")
    with Store(studio.db) as store:
        votes = store.votes()
        assert len(votes) == 1 and votes[0]["outcome"] == "a" and votes[0]["editor"] == EDITOR


def test_edit_with_a_tag_and_a_note(page, studio, shots):
    from playwright.sync_api import expect

    tab(page, "Edit")
    expect(page.locator("#edit-text textarea")).to_have_value(re.compile("Captain"))
    before = value(page, "edit-text")
    fill(page, "edit-text", before.replace("A testament to human stubbornness, the", "The"))
    page.locator("#tags label", has_text="cliche").click()
    fill(page, "note", "cut the stock phrase")
    page.click("#save-edit")
    expect(page.locator("#edit-msg")).to_contain_text("Saved your edit")
    expect(page.locator("#edit-diff del")).to_contain_text("testament")
    shots(page, "edit")
    with Store(studio.db) as store:
        edits = store.edits()
        assert len(edits) == 1
        assert edits[0]["tags"] == ["cliche"] and edits[0]["note"] == "cut the stock phrase"
        assert edits[0]["editor"] == EDITOR and "testament" in edits[0]["before"]


def test_export_has_the_rows_of_this_session(page, studio, shots, tmp_path):
    from playwright.sync_api import expect

    tab(page, "Export")
    page.click("#export")
    expect(page.locator("#export-msg")).to_contain_text("dpo rows")
    shots(page, "export")
    out = tmp_path / "dpo.jsonl"
    run_cli(["export-prefs", "--db", studio.db, "--format", "dpo", "--out", str(out)])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    shown = int(re.match(r"\d+", page.locator("#export-msg").inner_text()).group(0))
    # the A vote, the edit (edited > original) and the saved ranking (first > last) of this session
    assert len(rows) == shown == 3 and sorted(r["source"] for r in rows) == ["edit", "ranking", "vote"]
    assert {r["editor"] for r in rows} == {EDITOR}
    prompt = rows[0]["messages"][0]["content"]  # what the model saw: world bible, chapters, instruction
    assert "Saturn" in prompt and "forty" in prompt and prompt.endswith("The Kestrel leaves the station.")
    edit = next(r for r in rows if r["source"] == "edit")
    assert "testament" in edit["rejected_response"] and edit["tags"] == ["cliche"]
    run_cli(["export-prefs", "--db", studio.db, "--format", "kto", "--out", str(tmp_path / "kto.jsonl")])
    kto = [json.loads(line) for line in (tmp_path / "kto.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["source"], r["label"], r["editor"]) for r in kto] == [("rating", True, EDITOR)]  # the thumb


def test_chinese_project_compare_versions(page, studio, shots, tmp_path):
    from playwright.sync_api import expect

    book = tmp_path / "zh.txt"
    book.write_text(ZH_BOOK, encoding="utf-8")
    tab(page, "Project")
    fill(page, "new-name", "曲率")
    fill(page, "new-setting", "人类舰队在太阳系边缘。")
    page.locator("#upload input[type=file]").set_input_files(str(book))
    page.click("#create-project")
    expect(page.locator("#create-msg")).to_contain_text("with 2 chapters")
    expect(page.locator("#glossary textarea")).to_have_value(re.compile("章北海"))
    tab(page, "Generate")
    fill(page, "instruction", "舰队离开太阳系。")
    page.click("#generate")
    expect(page.locator("#hl-1 mark.hl-term").first).to_have_text("张北海", timeout=30_000)
    expect(page.locator("#gen-status")).to_contain_text("Done")
    shots(page, "generate_zh")
    fill(page, "accept-title", "第三章 离港")
    page.click("#accept")
    expect(page.locator("#gen-msg")).to_contain_text("第三章")

    tab(page, "Compare")
    expect(page.locator("#chapter-text textarea")).to_have_value(re.compile("张北海"))
    text = value(page, "chapter-text")
    fill(page, "chapter-text", text.replace("张北海", "章北海"))
    page.click("#save-version")
    expect(page.locator("#history")).to_contain_text("edit")
    page.click("#compare")
    expect(page.locator("#diff del").first).to_have_text("张")  # character level
    expect(page.locator("#diff ins").first).to_have_text("章")
    shots(page, "compare_zh")


def test_cancel_and_backend_down_keep_the_editors_text(page, studio, backend, shots):
    from playwright.sync_api import expect

    tab(page, "Generate")
    fill(page, "instruction", "保留这段未保存的要求 SLOW")  # SLOW: the backend streams a word per 0.2 s
    page.click("#generate")
    expect(page.locator("#cand-1 textarea")).to_have_value(re.compile("."))
    page.click("#cancel")
    expect(page.locator("#gen-status")).to_contain_text("Cancelled")
    assert len(value(page, "cand-1")) < 60  # stopped early (the full text takes ~8 s)

    backend.stop()
    try:
        page.click("#generate")
        expect(page.locator("#gen-status")).to_contain_text("not reachable")
        assert value(page, "instruction") == "保留这段未保存的要求 SLOW"
        shots(page, "backend_down", full_page=False)
    finally:
        backend.start()
