"""recommendations shown and pair feedback

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recommendations_shown",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=32), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("recommendations_shown", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendations_shown_pair",
            ["track", "source_kind", "source_id", "target_kind", "target_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_recommendations_shown_shown_at"), ["shown_at"], unique=False
        )

    op.create_table(
        "pair_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=32), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("party_kind", sa.String(length=16), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("shown_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shown_id"], ["recommendations_shown.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pair_feedback", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pair_feedback_party", ["party_kind", "party_id", "action"], unique=False
        )
        batch_op.create_index(
            "ix_pair_feedback_pair",
            ["track", "source_kind", "source_id", "target_kind", "target_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_pair_feedback_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pair_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_feedback_created_at"))
        batch_op.drop_index("ix_pair_feedback_pair")
        batch_op.drop_index("ix_pair_feedback_party")
    op.drop_table("pair_feedback")
    with op.batch_alter_table("recommendations_shown", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendations_shown_shown_at"))
        batch_op.drop_index("ix_recommendations_shown_pair")
    op.drop_table("recommendations_shown")
