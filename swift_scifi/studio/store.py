"""``Store``: the studio's only storage API. Plain dicts out, no ORM objects; every write names its editor
and every stored row carries it; every input is size-checked (:mod:`.limits`, ValueError on a breach).

Concurrency: each method is one short transaction. SQLite writers queue on ``BEGIN IMMEDIATE`` with a
30 s busy timeout (WAL lets readers run meanwhile); PostgreSQL runs them at READ COMMITTED. A vote or edit
submitted with a ``request_id`` is stored once however often it is retried: the id is unique in the
table, and a retry returns the first row's id.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from . import limits
from .db import (
    WRITE_OPTION,
    Candidate,
    Chapter,
    Edit,
    Editor,
    Project,
    Ranking,
    Rating,
    Version,
    Vote,
    make_engine,
    utcnow,
)
from .edit_cost import edit_cost
from .passwords import hash_password, verify_password

LAMP_CATEGORIES = (
    "cliche",
    "unnecessary_exposition",
    "purple_prose",
    "poor_sentence_structure",
    "lack_of_specificity",
    "awkward_word_choice",
    "tense_inconsistency",
)
VOTE_OUTCOMES = ("a", "b", "tie", "both_bad")
VERSION_SOURCES = ("import", "model", "edit")
_PG_MIGRATION_LOCK = 0x5C1F1  # pg_advisory_xact_lock key: one migrator at a time
_migrated: set[str] = set()
_migrate_lock = threading.Lock()


def migrate(engine: Engine) -> None:
    """Upgrade the database behind ``engine`` to the newest Alembic revision (no-op when already there).
    Concurrent migrators wait for each other (SQLite: the write lock; PostgreSQL: an advisory lock)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("swift_scifi.studio") / "migrations"))
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not-a-real-password")


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite returns naive datetimes; we store UTC
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.isoformat()


def _row(row: sa.Row) -> dict[str, Any]:
    out = dict(row._mapping)
    for key in ("created_at", "updated_at"):
        if key in out:
            out[key] = _iso(out[key])
    return out


def _check_id(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{field}: expected a positive integer id, got {value!r}")
    return value


class Store:
    """Studio storage at ``url`` (None: ``sqlite:///studio.db`` in the working folder; a bare path: a
    SQLite file; ``postgresql://...``: PostgreSQL through psycopg 3). Migrates to head on open."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.engine = engine or make_engine(url)
        key = self.engine.url.render_as_string(hide_password=False)
        with _migrate_lock:  # once per database and process (a SQLite file deleted since is migrated again)
            db_file = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
            if key not in _migrated or (db_file and not Path(db_file).is_file()):
                migrate(self.engine)
                _migrated.add(key)

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- transactions -------------------------------------------------------------------------
    @contextmanager
    def _write(self):
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self):
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def _editor(self, conn: Connection, editor: Any) -> str:
        """The editor's name: a name is taken as given (shared-token mode needs no account); an int is an
        account id and must exist."""
        if isinstance(editor, int) and not isinstance(editor, bool):
            name = conn.execute(sa.select(Editor.name).where(Editor.id == editor)).scalar()
            if name is None:
                raise ValueError(f"editor: no editor account with id {editor}")
            return name
        return limits.check_name("editor", editor, limits.EDITOR_CHARS)

    @staticmethod
    def _exists(conn: Connection, model, ident: int, what: str) -> None:
        if conn.execute(sa.select(model.id).where(model.id == ident)).scalar() is None:
            raise ValueError(f"{what} {ident} does not exist")

    # --- editors ------------------------------------------------------------------------------
    def create_editor(self, name: str, password: str) -> int:
        """A new editor account (unique name, 8..1024-character password stored as a salted scrypt hash)."""
        name = limits.check_name("editor name", name, limits.EDITOR_CHARS)
        lo, hi = limits.PASSWORD_CHARS
        if not isinstance(password, str) or not lo <= len(password) <= hi:
            raise ValueError(f"password: must be {lo} to {hi} characters")
        pw_hash = hash_password(password)
        try:
            with self._write() as conn:
                return conn.execute(
                    sa.insert(Editor)
                    .values(name=name, password_hash=pw_hash, created_at=utcnow())
                    .returning(Editor.id)
                ).scalar_one()
        except IntegrityError:
            raise ValueError(f"editor name {name!r} is taken") from None

    def authenticate(self, name: str, password: str) -> int | None:
        """The editor's id when ``password`` is right, else None (unknown names cost the same time)."""
        if (
            not isinstance(name, str)
            or not isinstance(password, str)
            or len(password) > limits.PASSWORD_CHARS[1]
        ):
            return None
        with self._read() as conn:
            row = conn.execute(
                sa.select(Editor.id, Editor.password_hash).where(Editor.name == name.strip())
            ).first()
        if row is None:
            verify_password(password, _dummy_hash())  # one scrypt, as for a real name
            return None
        return row.id if verify_password(password, row.password_hash) else None

    def list_editors(self) -> list[dict]:
        """id, name, created_at of every account (never the hashes)."""
        with self._read() as conn:
            rows = conn.execute(sa.select(Editor.id, Editor.name, Editor.created_at).order_by(Editor.id))
            return [_row(r) for r in rows]

    # --- projects and chapters ----------------------------------------------------------------
    def create_project(
        self, editor, name: str, setting: str = "", style_notes: str = "", glossary: Iterable[str] = ()
    ) -> int:
        name = limits.check_name("project name", name)
        setting = limits.check_text("setting", setting)
        style_notes = limits.check_text("style_notes", style_notes)
        terms = limits.check_glossary(glossary)
        with self._write() as conn:
            who = self._editor(conn, editor)
            now = utcnow()
            return conn.execute(
                sa.insert(Project)
                .values(
                    name=name,
                    setting=setting,
                    style_notes=style_notes,
                    glossary=terms,
                    editor=who,
                    created_at=now,
                    updated_at=now,
                    updated_by=who,
                )
                .returning(Project.id)
            ).scalar_one()

    def update_project(
        self,
        editor,
        project_id: int,
        *,
        setting: str | None = None,
        style_notes: str | None = None,
        glossary: Iterable[str] | None = None,
    ) -> None:
        """Replace the given fields (None leaves a field as it is); records who changed it last."""
        _check_id("project_id", project_id)
        values: dict[str, Any] = {}
        if setting is not None:
            values["setting"] = limits.check_text("setting", setting)
        if style_notes is not None:
            values["style_notes"] = limits.check_text("style_notes", style_notes)
        if glossary is not None:
            values["glossary"] = limits.check_glossary(glossary)
        with self._write() as conn:
            who = self._editor(conn, editor)
            done = conn.execute(
                sa.update(Project)
                .where(Project.id == project_id)
                .values(**values, updated_at=utcnow(), updated_by=who)
            )
            if done.rowcount != 1:
                raise ValueError(f"project {project_id} does not exist")

    def get_project(self, project_id: int) -> dict:
        """id, name, setting, style_notes, glossary, editor, created_at, updated_at, updated_by and
        chapters: [{id, title, editor, created_at, version_id, text, versions}] (latest version's text)."""
        _check_id("project_id", project_id)
        with self._read() as conn:
            row = conn.execute(sa.select(Project.__table__).where(Project.id == project_id)).first()
            if row is None:
                raise ValueError(f"project {project_id} does not exist")
            project = _row(row)
            project["glossary"] = list(project["glossary"] or [])
            chapters = conn.execute(
                sa.select(Chapter.__table__).where(Chapter.project_id == project_id).order_by(Chapter.id)
            ).all()
            project["chapters"] = [self._chapter(conn, _row(c)) for c in chapters]
        return project

    @staticmethod
    def _chapter(conn: Connection, chapter: dict) -> dict:
        latest = conn.execute(
            sa.select(Version.id, Version.text)
            .where(Version.chapter_id == chapter["id"])
            .order_by(Version.id.desc())
            .limit(1)
        ).first()
        count = conn.execute(
            sa.select(sa.func.count()).select_from(Version).where(Version.chapter_id == chapter["id"])
        ).scalar_one()
        chapter.pop("project_id", None)
        chapter.update(
            version_id=latest.id if latest else None, text=latest.text if latest else "", versions=count
        )
        return chapter

    def list_projects(self) -> list[dict]:
        """id, name, editor, created_at, updated_at, chapters (count) of every project, oldest first."""
        n_chapters = (
            sa.select(sa.func.count())
            .select_from(Chapter)
            .where(Chapter.project_id == Project.id)
            .scalar_subquery()
        )
        with self._read() as conn:
            rows = conn.execute(
                sa.select(
                    Project.id,
                    Project.name,
                    Project.editor,
                    Project.created_at,
                    Project.updated_at,
                    n_chapters.label("chapters"),
                ).order_by(Project.id)
            )
            return [_row(r) for r in rows]

    def add_chapter(self, editor, project_id: int, title: str, text: str, source: str = "import") -> int:
        """A new chapter of the project, with ``text`` as its version 1. Returns the chapter id."""
        _check_id("project_id", project_id)
        title = limits.check_name("chapter title", title)
        text = limits.check_text("chapter text", text)
        source = self._source(source)
        with self._write() as conn:
            who = self._editor(conn, editor)
            self._exists(conn, Project, project_id, "project")
            now = utcnow()
            chapter_id = conn.execute(
                sa.insert(Chapter)
                .values(project_id=project_id, title=title, editor=who, created_at=now)
                .returning(Chapter.id)
            ).scalar_one()
            conn.execute(
                sa.insert(Version).values(
                    chapter_id=chapter_id,
                    text=text,
                    source=source,
                    parent_id=None,
                    meta={},
                    editor=who,
                    created_at=now,
                )
            )
            return chapter_id

    @staticmethod
    def _source(source: str) -> str:
        if source not in VERSION_SOURCES:
            raise ValueError(f"source: expected one of {VERSION_SOURCES}, got {source!r}")
        return source

    def add_version(
        self,
        editor,
        chapter_id: int,
        text: str,
        source: str,
        parent_version_id: int | None = None,
        meta: dict | None = None,
    ) -> int:
        """A new version of the chapter (its parent, when given, must be a version of the same chapter)."""
        _check_id("chapter_id", chapter_id)
        text = limits.check_text("version text", text)
        source = self._source(source)
        meta = limits.check_json("meta", meta)
        with self._write() as conn:
            who = self._editor(conn, editor)
            self._exists(conn, Chapter, chapter_id, "chapter")
            if parent_version_id is not None:
                _check_id("parent_version_id", parent_version_id)
                parent_chapter = conn.execute(
                    sa.select(Version.chapter_id).where(Version.id == parent_version_id)
                ).scalar()
                if parent_chapter != chapter_id:
                    raise ValueError(f"version {parent_version_id} is not a version of chapter {chapter_id}")
            return conn.execute(
                sa.insert(Version)
                .values(
                    chapter_id=chapter_id,
                    text=text,
                    source=source,
                    parent_id=parent_version_id,
                    meta=meta,
                    editor=who,
                    created_at=utcnow(),
                )
                .returning(Version.id)
            ).scalar_one()

    def list_versions(self, chapter_id: int) -> list[dict]:
        """The chapter's versions, oldest first: id, text, source, editor, created_at, parent, meta."""
        _check_id("chapter_id", chapter_id)
        with self._read() as conn:
            rows = conn.execute(
                sa.select(
                    Version.id,
                    Version.text,
                    Version.source,
                    Version.editor,
                    Version.created_at,
                    Version.parent_id.label("parent"),
                    Version.meta,
                )
                .where(Version.chapter_id == chapter_id)
                .order_by(Version.id)
            )
            return [_row(r) for r in rows]

    # --- candidates ---------------------------------------------------------------------------
    def add_candidates(self, editor, project_id: int, prompt: str, candidates: Sequence[dict]) -> list[int]:
        """Store generated candidates for ``prompt``; each dict has text, model, settings (dict), rewards
        (dict) and rank (int or None). Returns their ids in the given order."""
        _check_id("project_id", project_id)
        prompt = limits.check_text("prompt", prompt, limits.PROMPT_BYTES)
        if not isinstance(candidates, Sequence) or isinstance(candidates, (str, bytes)):
            raise ValueError("candidates: expected a list of dicts")
        if not 1 <= len(candidates) <= limits.CANDIDATES_PER_CALL:
            raise ValueError(
                f"candidates: expected 1 to {limits.CANDIDATES_PER_CALL} candidates, got {len(candidates)}"
            )
        rows = []
        for i, cand in enumerate(candidates):
            if not isinstance(cand, dict):
                raise ValueError(f"candidate {i}: expected a dict, got {type(cand).__name__}")
            rank = cand.get("rank")
            if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int)):
                raise ValueError(f"candidate {i} rank: expected an int or None, got {rank!r}")
            rows.append(
                dict(
                    text=limits.check_text(f"candidate {i} text", cand.get("text")),
                    model=limits.check_name(f"candidate {i} model", cand.get("model") or "unknown"),
                    settings=limits.check_json(f"candidate {i} settings", cand.get("settings")),
                    rewards=limits.check_json(f"candidate {i} rewards", cand.get("rewards")),
                    rank=rank,
                )
            )
        with self._write() as conn:
            who = self._editor(conn, editor)
            self._exists(conn, Project, project_id, "project")
            now = utcnow()
            return [
                conn.execute(
                    sa.insert(Candidate)
                    .values(project_id=project_id, prompt=prompt, editor=who, created_at=now, **row)
                    .returning(Candidate.id)
                ).scalar_one()
                for row in rows
            ]

    def get_candidate(self, candidate_id: int) -> dict:
        """id, project_id, prompt, text, model, settings, rewards, rank, editor, created_at."""
        _check_id("candidate_id", candidate_id)
        with self._read() as conn:
            row = conn.execute(sa.select(Candidate.__table__).where(Candidate.id == candidate_id)).first()
        if row is None:
            raise ValueError(f"candidate {candidate_id} does not exist")
        return _row(row)

    def list_candidates(self, project_id: int) -> list[dict]:
        """The project's candidates, oldest first (same keys as :meth:`get_candidate`)."""
        _check_id("project_id", project_id)
        with self._read() as conn:
            rows = conn.execute(
                sa.select(Candidate.__table__)
                .where(Candidate.project_id == project_id)
                .order_by(Candidate.id)
            )
            return [_row(r) for r in rows]

    # --- judgements ---------------------------------------------------------------------------
    def record_ranking(self, editor, candidate_ids_in_order: Sequence[int]) -> int:
        """The editor's order of candidates, best first (2..64 distinct existing ids)."""
        ids = list(candidate_ids_in_order) if isinstance(candidate_ids_in_order, Iterable) else None
        if ids is None or not 2 <= len(ids) <= limits.RANKING_ITEMS:
            raise ValueError(f"ranking: expected 2 to {limits.RANKING_ITEMS} candidate ids")
        for cid in ids:
            _check_id("ranking candidate id", cid)
        if len(set(ids)) != len(ids):
            raise ValueError("ranking: a candidate appears twice")
        with self._write() as conn:
            who = self._editor(conn, editor)
            found = conn.execute(
                sa.select(sa.func.count()).select_from(Candidate).where(Candidate.id.in_(ids))
            ).scalar_one()
            if found != len(ids):
                raise ValueError("ranking: some candidate ids do not exist")
            return conn.execute(
                sa.insert(Ranking)
                .values(candidate_ids=ids, editor=who, created_at=utcnow())
                .returning(Ranking.id)
            ).scalar_one()

    def record_vote(self, editor, a_id: int, b_id: int, outcome: str, request_id: str | None = None) -> int:
        """A blind-arena vote on candidates a and b: "a", "b", "tie" or "both_bad". With ``request_id``
        a retried submit is stored once (the first vote's id is returned)."""
        _check_id("a_id", a_id)
        _check_id("b_id", b_id)
        if a_id == b_id:
            raise ValueError("vote: a and b are the same candidate")
        if outcome not in VOTE_OUTCOMES:
            raise ValueError(f"vote outcome: expected one of {VOTE_OUTCOMES}, got {outcome!r}")
        request_id = limits.check_request_id(request_id)

        def insert(conn: Connection, who: str) -> int:
            found = conn.execute(
                sa.select(sa.func.count()).select_from(Candidate).where(Candidate.id.in_((a_id, b_id)))
            ).scalar_one()
            if found != 2:
                raise ValueError(f"vote: candidate {a_id} or {b_id} does not exist")
            values = dict(
                a_id=a_id, b_id=b_id, outcome=outcome, request_id=request_id, editor=who, created_at=utcnow()
            )
            return conn.execute(sa.insert(Vote).values(**values).returning(Vote.id)).scalar_one()

        return self._once(Vote, request_id, editor, insert)

    def _once(self, model, request_id: str | None, editor, insert) -> int:
        """Run ``insert(conn, editor_name)`` in a write transaction unless a row with ``request_id`` exists;
        a concurrent duplicate loses on the unique index and gets the winner's id."""
        for _ in range(2):
            try:
                with self._write() as conn:
                    who = self._editor(conn, editor)
                    if request_id is not None:
                        found = conn.execute(
                            sa.select(model.id).where(model.request_id == request_id)
                        ).scalar()
                        if found is not None:
                            return found
                    return insert(conn, who)
            except IntegrityError:
                if request_id is None:
                    raise
        raise RuntimeError(f"{model.__tablename__}: request {request_id!r} neither stored nor found")

    def record_rating(
        self, editor, candidate_id: int, *, thumb: bool | None = None, rating: int | None = None
    ) -> int:
        """A thumb (True up / False down) and/or a 1-5 rating of one candidate; at least one is needed."""
        _check_id("candidate_id", candidate_id)
        if thumb is None and rating is None:
            raise ValueError("rating: give a thumb, a rating or both")
        if thumb is not None and not isinstance(thumb, bool):
            raise ValueError(f"thumb: expected True, False or None, got {thumb!r}")
        lo, hi = limits.RATING_RANGE
        if rating is not None and (
            isinstance(rating, bool) or not isinstance(rating, int) or not lo <= rating <= hi
        ):
            raise ValueError(f"rating: expected an integer from {lo} to {hi}, got {rating!r}")
        with self._write() as conn:
            who = self._editor(conn, editor)
            self._exists(conn, Candidate, candidate_id, "candidate")
            return conn.execute(
                sa.insert(Rating)
                .values(
                    candidate_id=candidate_id, thumb=thumb, rating=rating, editor=who, created_at=utcnow()
                )
                .returning(Rating.id)
            ).scalar_one()

    def record_edit(
        self,
        editor,
        candidate_id: int,
        after: str,
        tags: Iterable[str] = (),
        note: str = "",
        request_id: str | None = None,
    ) -> int:
        """The editor's rewrite of a candidate: stores before (the candidate's text), after, LAMP ``tags``,
        ``note`` and the edit cost (:mod:`.edit_cost`). With ``request_id`` a retry is stored once."""
        _check_id("candidate_id", candidate_id)
        after = limits.check_text("edited text", after, allow_empty=False)
        note = limits.check_text("note", note, limits.NOTE_BYTES)
        if isinstance(tags, str):
            raise ValueError("tags: expected a list of LAMP categories, got one string")
        tag_list = list(dict.fromkeys(tags))
        bad = [t for t in tag_list if t not in LAMP_CATEGORIES]
        if bad:
            raise ValueError(f"tags: {bad} are not LAMP categories {LAMP_CATEGORIES}")
        request_id = limits.check_request_id(request_id)

        def insert(conn: Connection, who: str) -> int:
            before = conn.execute(sa.select(Candidate.text).where(Candidate.id == candidate_id)).scalar()
            if before is None:
                raise ValueError(f"candidate {candidate_id} does not exist")
            cost = edit_cost(before, after)
            values = dict(
                candidate_id=candidate_id,
                before=before,
                after=after,
                tags=tag_list,
                note=note,
                char_cost=cost.chars,
                word_cost=cost.words,
                char_distance=cost.char_distance,
                word_distance=cost.word_distance,
                request_id=request_id,
                editor=who,
                created_at=utcnow(),
            )
            return conn.execute(sa.insert(Edit).values(**values).returning(Edit.id)).scalar_one()

        return self._once(Edit, request_id, editor, insert)

    def get_edit(self, edit_id: int) -> dict:
        """id, candidate_id, before, after, tags, note, cost {chars, words, char_distance, word_distance},
        request_id, editor, created_at."""
        _check_id("edit_id", edit_id)
        with self._read() as conn:
            row = conn.execute(sa.select(Edit.__table__).where(Edit.id == edit_id)).first()
        if row is None:
            raise ValueError(f"edit {edit_id} does not exist")
        return _edit_dict(_row(row))

    # --- reading judgements back (arena, export, tests) ----------------------------------------
    def votes(self) -> list[dict]:
        """Every vote with both candidates' models and prompts, oldest first."""
        a, b = aliased(Candidate), aliased(Candidate)
        with self._read() as conn:
            rows = conn.execute(
                sa.select(
                    Vote.id,
                    Vote.a_id,
                    Vote.b_id,
                    Vote.outcome,
                    Vote.request_id,
                    Vote.editor,
                    Vote.created_at,
                    a.model.label("model_a"),
                    b.model.label("model_b"),
                )
                .join(a, a.id == Vote.a_id)
                .join(b, b.id == Vote.b_id)
                .order_by(Vote.id)
            )
            return [_row(r) for r in rows]

    def ratings(self) -> list[dict]:
        with self._read() as conn:
            return [_row(r) for r in conn.execute(sa.select(Rating.__table__).order_by(Rating.id))]

    def edits(self) -> list[dict]:
        with self._read() as conn:
            return [_edit_dict(_row(r)) for r in conn.execute(sa.select(Edit.__table__).order_by(Edit.id))]

    def rankings(self) -> list[dict]:
        with self._read() as conn:
            return [_row(r) for r in conn.execute(sa.select(Ranking.__table__).order_by(Ranking.id))]

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        models = (Editor, Project, Chapter, Version, Candidate, Ranking, Vote, Rating, Edit)
        with self._read() as conn:
            return {
                m.__tablename__: conn.execute(sa.select(sa.func.count()).select_from(m)).scalar_one()
                for m in models
            }

    def leaderboard(self, n_boot: int = 200, seed: int = 0) -> list[dict]:
        """Bradley-Terry ranking of candidate models from the arena votes (:func:`.arena.leaderboard`):
        model, score, ci_low, ci_high, votes; best first."""
        from .arena import leaderboard

        with self._read() as conn:
            a, b = aliased(Candidate), aliased(Candidate)
            rows = conn.execute(
                sa.select(a.model, b.model, Vote.outcome)
                .join(a, a.id == Vote.a_id)
                .join(b, b.id == Vote.b_id)
            ).all()
        return leaderboard([tuple(r) for r in rows], n_boot=n_boot, seed=seed)

    def export(self, fmt: str) -> list[dict]:
        """ms-swift 4.6 rows for ``fmt`` "dpo", "kto" or "sft" (:func:`.export.export_rows`)."""
        from .export import export_rows

        return export_rows(self, fmt)


def _edit_dict(row: dict) -> dict:
    row["cost"] = {
        "chars": row.pop("char_cost"),
        "words": row.pop("word_cost"),
        "char_distance": row.pop("char_distance"),
        "word_distance": row.pop("word_distance"),
    }
    row["tags"] = list(row["tags"] or [])
    return row


def studio_url(url: str | None, *, must_exist: bool = False) -> str:
    """The database URL for ``url`` (see :func:`.db.normalize_url`); with ``must_exist``, a SQLite file that
    does not exist is a ValueError instead of a new empty database."""
    from .db import normalize_url

    full = normalize_url(url)
    parsed = sa.engine.make_url(full)
    if must_exist and parsed.get_backend_name() == "sqlite":
        if not parsed.database or not Path(parsed.database).is_file():
            raise ValueError(f"no studio database at {parsed.database!r} (give --db or set SCIFI_STUDIO_DB)")
    return full
