"""Store: the studio's storage API on SQLite (WAL) and on a real PostgreSQL server started by the tests."""

from __future__ import annotations

import multiprocessing as mp
import threading

import pytest
import sqlalchemy as sa

from swift_scifi.studio import limits
from swift_scifi.studio.db import Base, make_engine
from swift_scifi.studio.store import LAMP_CATEGORIES, Store
from tests.studio.postgres import postgres_server  # noqa: F401  (fixture)

N_CLIENTS, OPS_PER_CLIENT, RETRIES_PER_CLIENT = 10, 100, 10


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'studio.db'}"
    return request.getfixturevalue("postgres_server").new_database()


@pytest.fixture
def store(db_url):
    with Store(db_url) as s:
        yield s


def _project_with_candidates(store: Store, editor: str = "alice", n: int = 2) -> tuple[int, list[int]]:
    pid = store.create_project(
        editor, "Red Tide", setting="Mars, 2190", glossary=["曲率引擎", "Ares Station"]
    )
    cands = [
        {"text": f"Candidate {i} text.", "model": f"m{i}", "settings": {"temperature": 0.7}} for i in range(n)
    ]
    return pid, store.add_candidates(editor, pid, "Write chapter 2.", cands)


def test_projects_chapters_versions_round_trip(store):
    eid = store.create_editor("alice", "correct horse")
    pid = store.create_project(
        eid, "Red Tide", setting="火星，2190年", style_notes="terse", glossary=["曲率引擎", " ", "曲率引擎"]
    )
    store.update_project("bob", pid, style_notes="lyrical", glossary=["Ares Station"])
    cid = store.add_chapter("alice", pid, "第一章", "他醒来。", source="import")
    v1 = store.list_versions(cid)[0]["id"]
    v2 = store.add_version(
        "bob", cid, "他醒了过来。", "edit", parent_version_id=v1, meta={"note": "smoother"}
    )
    project = store.get_project(pid)
    assert project["setting"] == "火星，2190年" and project["style_notes"] == "lyrical"
    assert project["glossary"] == ["Ares Station"] and project["editor"] == "alice"
    assert project["updated_by"] == "bob"
    [chapter] = project["chapters"]
    assert chapter["id"] == cid and chapter["title"] == "第一章" and chapter["versions"] == 2
    assert chapter["version_id"] == v2 and chapter["text"] == "他醒了过来。"
    versions = store.list_versions(cid)
    assert [(v["source"], v["editor"], v["parent"]) for v in versions] == [
        ("import", "alice", None),
        ("edit", "bob", v1),
    ]
    assert versions[1]["meta"] == {"note": "smoother"} and versions[1]["created_at"].endswith("+00:00")
    assert store.list_projects() == [
        {k: project[k] for k in ("id", "name", "editor", "created_at", "updated_at")} | {"chapters": 1}
    ]
    with pytest.raises(ValueError, match="not a version of chapter"):
        other = store.add_chapter("alice", pid, "Ch 2", "x")
        store.add_version("alice", other, "y", "edit", parent_version_id=v1)
    with pytest.raises(ValueError, match="does not exist"):
        store.get_project(999)


def test_candidates_votes_ratings_edits_and_editor_on_every_row(store):
    pid, (a, b) = _project_with_candidates(store)
    cand = store.get_candidate(b)
    assert (
        cand["text"] == "Candidate 1 text."
        and cand["model"] == "m1"
        and cand["settings"] == {"temperature": 0.7}
    )
    assert cand["project_id"] == pid and cand["prompt"] == "Write chapter 2." and cand["rank"] is None
    assert [c["id"] for c in store.list_candidates(pid)] == [a, b]
    store.record_vote("bob", a, b, "a")
    store.record_rating("carol", a, thumb=True)
    store.record_rating("carol", b, rating=2)
    store.record_ranking("dave", [b, a])
    edit_id = store.record_edit(
        "erin", b, "Candidate one, rewritten.", tags=["cliche", "purple_prose"], note="tighter"
    )
    edit = store.get_edit(edit_id)
    assert edit["before"] == "Candidate 1 text." and edit["after"] == "Candidate one, rewritten."
    assert (
        edit["tags"] == ["cliche", "purple_prose"] and edit["note"] == "tighter" and edit["editor"] == "erin"
    )
    assert 0 < edit["cost"]["chars"] <= 1 and edit["cost"]["word_distance"] >= 1
    # every table that records an act has a non-empty editor column, and every row has it filled
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if "editor" in table.c:
                missing = conn.execute(
                    sa.select(sa.func.count()).where(table.c.editor.in_(["", None]))
                ).scalar()
                assert missing == 0, table.name
        assert {t.name for t in Base.metadata.sorted_tables if "editor" not in t.c} == {"editors"}
    assert [v["editor"] for v in store.votes()] == ["bob"]
    assert [r["editor"] for r in store.ratings()] == ["carol", "carol"]
    assert [r["editor"] for r in store.rankings()] == ["dave"]


def test_accounts_hash_passwords_and_authenticate(store):
    eid = store.create_editor("alice", "correct horse")
    assert store.authenticate("alice", "correct horse") == eid
    assert store.authenticate("alice", "wrong horse!") is None
    assert store.authenticate("nobody", "correct horse") is None
    with pytest.raises(ValueError, match="taken"):
        store.create_editor("alice", "another one")
    with pytest.raises(ValueError, match="8 to 1024"):
        store.create_editor("bob", "short")
    with store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM editors")).scalar()
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert "password_hash" not in store.list_editors()[0]
    # an editor given by account id is stored under the account's name; an unknown id is refused
    pid = store.create_project(eid, "P")
    assert store.get_project(pid)["editor"] == "alice"
    with pytest.raises(ValueError, match="no editor account"):
        store.create_project(eid + 100, "P")


def test_retried_requests_are_stored_once(store):
    _, (a, b) = _project_with_candidates(store)
    first = store.record_vote("bob", a, b, "tie", request_id="vote-1")
    assert store.record_vote("bob", a, b, "tie", request_id="vote-1") == first
    e1 = store.record_edit("bob", a, "New text.", request_id="edit-1")
    assert store.record_edit("bob", a, "New text.", request_id="edit-1") == e1
    # ten threads racing on one request id: one row, every caller gets its id
    ids: list[int] = []
    threads = [
        threading.Thread(target=lambda: ids.append(store.record_vote("carol", a, b, "b", request_id="race")))
        for _ in range(10)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 1 and len(ids) == 10
    assert store.counts()["votes"] == 2 and store.counts()["edits"] == 1


def _client(url: str, client: int, cand_ids: list[int]) -> None:
    """One editor's session in its own process: OPS_PER_CLIENT votes and edits, and RETRIES_PER_CLIENT of
    them submitted a second time (a double click or a retried request)."""
    store = Store(url)
    editor = f"editor-{client}"
    for op in range(OPS_PER_CLIENT):
        for _attempt in range(2 if op < RETRIES_PER_CLIENT else 1):
            rid = f"c{client}-op{op}"
            a, b = cand_ids[(client + op) % len(cand_ids)], cand_ids[(client + op + 1) % len(cand_ids)]
            if op % 2 == 0:
                store.record_vote(editor, a, b, ("a", "b", "tie", "both_bad")[op % 4], request_id=rid)
            else:
                store.record_edit(
                    editor, a, f"edit {client}/{op}", tags=[LAMP_CATEGORIES[op % 7]], request_id=rid
                )
    store.close()


def test_ten_concurrent_clients_store_every_vote_and_edit_exactly_once(store, db_url):
    _, cand_ids = _project_with_candidates(store, n=4)
    store.close()
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_client, args=(db_url, c, cand_ids)) for c in range(N_CLIENTS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * N_CLIENTS
    votes, edits = store.votes(), store.edits()
    total = N_CLIENTS * OPS_PER_CLIENT
    assert len(votes) + len(edits) == total  # 1,000: none lost, no retry stored twice
    expected = {f"c{c}-op{op}" for c in range(N_CLIENTS) for op in range(OPS_PER_CLIENT)}
    stored = [v["request_id"] for v in votes] + [e["request_id"] for e in edits]
    assert len(stored) == len(set(stored)) and set(stored) == expected
    for v in votes:  # each row holds what its client sent
        c, op = (int(x) for x in v["request_id"][1:].split("-op"))
        assert v["editor"] == f"editor-{c}" and v["outcome"] == ("a", "b", "tie", "both_bad")[op % 4]
        assert v["a_id"] == cand_ids[(c + op) % 4] and v["b_id"] == cand_ids[(c + op + 1) % 4]
    for e in edits:
        c, op = (int(x) for x in e["request_id"][1:].split("-op"))
        assert e["editor"] == f"editor-{c}" and e["after"] == f"edit {c}/{op}"
        assert e["tags"] == [LAMP_CATEGORIES[op % 7]]


def test_migrations_build_exactly_the_models(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    Store(db_url).close()
    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        head = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert diff == [] and head == "0001"
    Store(db_url).close()  # opening a migrated database again is a no-op


def _open(url: str) -> None:
    Store(url).close()


def test_concurrent_first_opens_migrate_once(db_url):
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_open, args=(db_url,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0] * 4
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == ["0001"]
    engine.dispose()


def test_missing_postgres_fails_under_ci_and_skips_otherwise(monkeypatch):
    from tests.studio import postgres

    monkeypatch.setattr(postgres, "_SERVER", None)
    monkeypatch.setattr(postgres, "find_pg_bin", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        postgres.acquire_server()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="apt-get install postgresql"):
        postgres.acquire_server()


def test_sqlite_default_file_is_in_wal_mode(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Store() as store:
        assert store.url == "sqlite:///studio.db"
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    assert (tmp_path / "studio.db").is_file()
    with pytest.raises(ValueError, match="in-memory"):
        Store("sqlite://")


def test_every_input_has_a_size_limit(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    pid, (a, b) = _project_with_candidates(store)
    big = "x" * (limits.TEXT_BYTES + 1)
    bad_calls = {
        "setting": lambda: store.create_project("al", "P", setting=big),
        "style_notes": lambda: store.update_project("al", pid, style_notes=big),
        "glossary": lambda: store.create_project(
            "al", "P", glossary=[f"t{i}" for i in range(limits.GLOSSARY_TERMS + 1)]
        ),
        "glossary term": lambda: store.create_project("al", "P", glossary=["t" * 201]),
        "project name": lambda: store.create_project("al", "n" * 201),
        "chapter text": lambda: store.add_chapter("al", pid, "C", big),
        "candidate 0 text": lambda: store.add_candidates("al", pid, "p", [{"text": big, "model": "m"}]),
        "prompt": lambda: store.add_candidates("al", pid, "p" * (limits.PROMPT_BYTES + 1), [{"text": "t"}]),
        "candidates": lambda: store.add_candidates("al", pid, "p", [{"text": "t"}] * 65),
        "settings": lambda: store.add_candidates(
            "al", pid, "p", [{"text": "t", "settings": {"k": "v" * 70_000}}]
        ),
        "edited text": lambda: store.record_edit("al", a, big),
        "note": lambda: store.record_edit("al", a, "ok", note="n" * 2_001),
        "tags": lambda: store.record_edit("al", a, "ok", tags=["not_a_lamp_tag"]),
        "editor": lambda: store.record_vote("e" * 65, a, b, "a"),
        "request_id": lambda: store.record_vote("al", a, b, "a", request_id="r" * 129),
        "vote outcome": lambda: store.record_vote("al", a, b, "maybe"),
        "rating": lambda: store.record_rating("al", a, rating=6),
        "ranking": lambda: store.record_ranking("al", [a] * 65),
        "password": lambda: store.create_editor("zed", "p" * 1025),
        "meta": lambda: store.add_version("al", 1, "t", "edit", meta={"k": "v" * 70_000}),
    }
    for field, call in bad_calls.items():
        with pytest.raises(ValueError, match=field):
            call()
    # the 200 kB limit is in UTF-8 bytes: 66,667 Chinese characters are over it
    with pytest.raises(ValueError, match="bytes is over the limit"):
        store.record_edit("al", a, "字" * 66_667)
    assert store.counts()["edits"] == 0 and store.counts()["projects"] == 1
    store.close()
