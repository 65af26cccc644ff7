"""The generation client over real HTTP against the scripted streaming backend: streaming, n candidates
side by side, cancel, a backend that is down or failing; the prompt built from a project; the app's input
limits and login, without a browser."""

from __future__ import annotations

import threading
import time

import pytest

from swift_scifi.studio.app import Studio, StudioError, parse_glossary, parse_settings
from swift_scifi.studio.generate import (
    BackendError,
    Cancel,
    Setting,
    build_messages,
    list_models,
    stream_candidates,
    stream_chat,
)
from swift_scifi.studio.store import Store
from tests.serve.conftest import ThreadServer, free_port

from .scripted_backend import EN_TEXT, scripted_backend

MESSAGES = [{"role": "user", "content": "Write."}]


@pytest.fixture(scope="module")
def backend():
    calls: list[dict] = []
    server = ThreadServer(scripted_backend(calls))
    server.calls = calls
    yield server
    server.stop()


def test_stream_grows_to_the_full_text(backend):
    seen = list(stream_chat(backend.url, MESSAGES, Setting("writer-a", {"temperature": 0.7})))
    assert len(seen) > 10 and seen[-1] == EN_TEXT
    assert all(b.startswith(a) for a, b in zip(seen, seen[1:], strict=False))  # it only grows
    assert backend.calls[-1]["stream"] is True and backend.calls[-1]["temperature"] == 0.7
    assert list_models(backend.url) == ["writer-a", "writer-b"]


def test_candidates_stream_side_by_side_with_their_settings(backend):
    settings = parse_settings(["writer-a", "writer-b"], "0.7, 1.0", 3)
    assert [s.label() for s in settings] == [
        "writer-a (temperature=0.7)",
        "writer-b (temperature=1)",
        "writer-a (temperature=0.7)",
    ]
    *_, (texts, errors) = stream_candidates(backend.url, MESSAGES, settings, Cancel())
    assert errors == [None] * 3 and texts[0] == EN_TEXT and "studied" in texts[1]


def test_cancel_stops_the_streams_at_once(backend):
    cancel = Cancel()
    slow = [{"role": "user", "content": "SLOW"}]  # the backend streams a piece per 0.2 s
    started = time.monotonic()
    timer = threading.Timer(0.5, cancel.set)
    timer.start()
    *_, (texts, errors) = stream_candidates(backend.url, slow, parse_settings(["a", "b"], "", 2), cancel)
    assert time.monotonic() - started < 2.0  # the full texts take ~8 s
    assert errors == [None, None] and all(0 < len(t) < len(EN_TEXT) / 2 for t in texts)


def test_backend_down_or_failing_gives_a_clear_message(backend):
    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(BackendError, match="not reachable.*Your text is kept"):
        list(stream_chat(dead, MESSAGES, Setting("writer-a")))
    *_, (texts, errors) = stream_candidates(
        backend.url, MESSAGES, [Setting("broken"), Setting("writer-a")], Cancel()
    )
    assert "HTTP 500" in errors[0] and errors[1] is None and texts[1].startswith("Captain")


def test_prompt_holds_the_world_bible_and_the_latest_chapters():
    project = {
        "setting": "Saturn's rings.",
        "style_notes": "Short sentences.",
        "glossary": ["Elara", "Tian Gong"],
        "chapters": [{"title": f"Chapter {i}", "text": f"text {i} " * 300} for i in range(1, 6)],
    }
    system, user = build_messages(project, "She leaves.", max_context_chars=5000)
    assert "Saturn's rings." in system["content"] and "“Elara”, “Tian Gong”" in system["content"]
    assert "Short sentences." in system["content"]
    assert "Chapter 5" in user["content"] and "Chapter 4" in user["content"]
    assert "Chapter 1" not in user["content"]  # the oldest chapters leave the window first
    assert user["content"].endswith("Write the next chapter. She leaves.")


def test_input_limits_and_login(tmp_path):
    assert parse_glossary("Elara\nTian Gong, Kestrel、曲率引擎\n\nElara") == [
        "Elara",
        "Tian Gong",
        "Kestrel",
        "曲率引擎",
    ]
    with pytest.raises(StudioError, match="limit is 5,000"):
        parse_glossary("\n".join(f"t{i}" for i in range(5001)))
    with pytest.raises(StudioError, match="outside 0-2"):
        parse_settings(["a"], "3", 1)
    with pytest.raises(StudioError) as err:  # gradio renders error messages as HTML: the input is escaped
        parse_glossary("<img src=x onerror=alert(1)>" * 10)
    assert "&lt;img src=x" in err.value.message and "<img" not in err.value.message
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    store.create_editor("ana", "long-password")
    studio = Studio(store, "http://127.0.0.1:9", token="tok")
    assert studio.authenticate("ana", "long-password") and studio.authenticate("bo", "tok")
    assert not studio.authenticate("ana", "wrong-password") and not studio.authenticate("", "tok")
    assert not studio.authenticate("x" * 500, "tok")
    no_token = Studio(store, "http://127.0.0.1:9")
    assert not no_token.authenticate("bo", "tok") and not no_token.authenticate("bo", "")
    # a store limit reaches the editor as a message, not a failed event
    with pytest.raises(StudioError, match="over the limit"):
        studio.store.create_project("ana", "p", setting="字" * 100_000)
