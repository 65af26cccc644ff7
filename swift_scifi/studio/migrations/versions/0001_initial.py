"""Initial studio schema: editors, projects, chapters, versions, candidates, rankings, votes, ratings, edits.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _editor_and_time() -> list[sa.Column]:
    return [sa.Column("editor", sa.String(64), nullable=False), sa.Column("created_at", TS, nullable=False)]


def upgrade() -> None:
    op.create_table(
        "editors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("setting", sa.Text, nullable=False),
        sa.Column("style_notes", sa.Text, nullable=False),
        sa.Column("glossary", sa.JSON, nullable=False),
        *_editor_and_time(),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "chapters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        *_editor_and_time(),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chapter_id", sa.Integer, sa.ForeignKey("chapters.id"), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=True),
        sa.Column("meta", sa.JSON, nullable=False),
        *_editor_and_time(),
    )
    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True),
        sa.Column("prompt", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("rewards", sa.JSON, nullable=False),
        sa.Column("rank", sa.Integer, nullable=True),
        *_editor_and_time(),
    )
    op.create_table(
        "rankings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("candidate_ids", sa.JSON, nullable=False),
        *_editor_and_time(),
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a_id", sa.Integer, sa.ForeignKey("candidates.id"), nullable=False),
        sa.Column("b_id", sa.Integer, sa.ForeignKey("candidates.id"), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True, unique=True),
        *_editor_and_time(),
    )
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("candidate_id", sa.Integer, sa.ForeignKey("candidates.id"), nullable=False, index=True),
        sa.Column("thumb", sa.Boolean, nullable=True),
        sa.Column("rating", sa.Integer, nullable=True),
        *_editor_and_time(),
    )
    op.create_table(
        "edits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("candidate_id", sa.Integer, sa.ForeignKey("candidates.id"), nullable=False, index=True),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("char_cost", sa.Float, nullable=False),
        sa.Column("word_cost", sa.Float, nullable=False),
        sa.Column("char_distance", sa.Integer, nullable=False),
        sa.Column("word_distance", sa.Integer, nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True, unique=True),
        *_editor_and_time(),
    )


def downgrade() -> None:
    for table in ("edits", "ratings", "votes", "rankings", "candidates", "versions", "chapters", "projects"):
        op.drop_table(table)
    op.drop_table("editors")
