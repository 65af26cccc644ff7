"""Studio storage schema (SQLAlchemy 2.x models) and ``make_engine(url)``.

One schema for both back ends: SQLite (the embedded default, one file, WAL mode, a 30 s busy timeout and
``BEGIN IMMEDIATE`` for write transactions so concurrent writers queue instead of failing) and PostgreSQL
(``postgresql+psycopg://`` URLs, psycopg 3). The schema is created and upgraded by the Alembic
migrations in ``swift_scifi/studio/migrations``; these models are the source of truth they must match.

Every row that records an editor's act carries ``editor`` (the editor's name).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DEFAULT_URL = "sqlite:///studio.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000
POOL_SIZE, POOL_OVERFLOW = 10, 30  # connections kept / extra under load (20+ concurrent editors)
WRITE_OPTION = "scifi_write"  # connection execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


_TS = sa.DateTime(timezone=True)


class Editor(Base):
    __tablename__ = "editors"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(256), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(_TS, nullable=False, default=utcnow)


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    setting: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    style_notes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    glossary: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    editor: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(_TS, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(_TS, nullable=False, default=utcnow)
    updated_by: Mapped[str] = mapped_column(sa.String(64), nullable=False)


class Chapter(Base):
    __tablename__ = "chapters"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    editor: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(_TS, nullable=False, default=utcnow)


class Version(Base):
    __tablename__ = "versions"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    chapter_id: Mapped[int] = mapped_column(sa.ForeignKey("chapters.id"), nullable=False, index=True)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    source: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("versions.id"), nullable=True)
    meta: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    editor: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(_TS, nullable=False, default=utcnow)


class Candidate(Base):
    __tablename__ = "candidates"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), nullable=False, index=True)
    prompt: Mapped[str] = mapped_column(sa.Text, nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    model: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    settings: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    rewards: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    rank: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    editor: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(_TS, nullable=False, default=utcnow)


class Ranking(Base):
    __tablename__ = "rankings"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    candidate_ids: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    editor: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(_TS, nullable=False, default=utcnow)


class Vote(Base):
    __tablename__ = "votes"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    a_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), nullable=False)
    b_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), nullable=False)
    outcome: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    request_id: Mapped[str | None] = mapped_column(sa.String(128), nullable=True, unique=True)
    editor: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(_TS, nullable=False, default=utcnow)


class Rating(Base):
    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), nullable=False, index=True)
    thumb: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    rating: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    editor: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(_TS, nullable=False, default=utcnow)


class Edit(Base):
    __tablename__ = "edits"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), nullable=False, index=True)
    before: Mapped[str] = mapped_column(sa.Text, nullable=False)
    after: Mapped[str] = mapped_column(sa.Text, nullable=False)
    tags: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    char_cost: Mapped[float] = mapped_column(sa.Float, nullable=False)
    word_cost: Mapped[float] = mapped_column(sa.Float, nullable=False)
    char_distance: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    word_distance: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    request_id: Mapped[str | None] = mapped_column(sa.String(128), nullable=True, unique=True)
    editor: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(_TS, nullable=False, default=utcnow)


def normalize_url(url: str | None) -> str:
    """A database URL from ``url``: None -> ``sqlite:///studio.db`` (in the working folder); a bare path ->
    a SQLite file URL; ``postgresql://`` / ``postgres://`` -> ``postgresql+psycopg://`` (psycopg 3)."""
    if not url:
        url = DEFAULT_URL
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_setup(engine: Engine) -> None:
    """WAL, busy timeout, foreign keys; transactions begun by us (``BEGIN IMMEDIATE`` when writing)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # the driver never begins on its own; the "begin" hook does
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (see :func:`normalize_url`). SQLite files get WAL mode and queued writers."""
    url = normalize_url(url)
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ValueError("studio: an in-memory SQLite database cannot be shared; give a file path")
        engine = sa.create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
        )
        _sqlite_setup(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
    raise ValueError(f"studio: unsupported database URL {parsed.render_as_string(hide_password=True)!r}")
