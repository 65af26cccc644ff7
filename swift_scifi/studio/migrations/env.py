"""Alembic environment for the studio schema. :func:`swift_scifi.studio.store.migrate` passes an open
connection in ``config.attributes["connection"]``; the offline (SQL script) mode is not used."""

from __future__ import annotations

from alembic import context

from swift_scifi.studio.db import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("studio migrations run through swift_scifi.studio.store.migrate(engine)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
