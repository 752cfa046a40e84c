"""event day and after: request deadline, soft preferred windows, meeting outcomes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 20:20:00

Events get a deadline for meeting requests (the planning deadline), participants the slots they
would rather meet in (a soft preference), and each side's outcome of a meeting after the event
(met / follow-up / not useful) gets a table of its own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("requests_deadline", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("event_participants") as batch:
        batch.add_column(sa.Column("preferred_slots", sa.JSON(), nullable=True))
    op.create_table(
        "event_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("feedback_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["event_participants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partner_id"], ["event_participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "participant_id", "partner_id", name="uq_event_outcome"),
    )
    op.create_index("ix_event_outcomes_event_id", "event_outcomes", ["event_id"])
    op.create_index("ix_event_outcomes_participant_id", "event_outcomes", ["participant_id"])
    op.create_index("ix_event_outcomes_partner_id", "event_outcomes", ["partner_id"])


def downgrade() -> None:
    op.drop_index("ix_event_outcomes_partner_id", table_name="event_outcomes")
    op.drop_index("ix_event_outcomes_participant_id", table_name="event_outcomes")
    op.drop_index("ix_event_outcomes_event_id", table_name="event_outcomes")
    op.drop_table("event_outcomes")
    with op.batch_alter_table("event_participants") as batch:
        batch.drop_column("preferred_slots")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("requests_deadline")
