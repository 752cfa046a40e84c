"""matchmaking events: events, participants, pair rules, plans and meetings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=True),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("tracks", sa.JSON(), nullable=False),
        sa.Column("industries", sa.JSON(), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.Column("default_max_meetings", sa.Integer(), nullable=False),
        sa.Column("min_meetings", sa.Integer(), nullable=False),
        sa.Column("small_min_meetings", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["park_id"], ["parks.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_date"), ["date"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_park_id"), ["park_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "event_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("max_meetings", sa.Integer(), nullable=True),
        sa.Column("min_meetings", sa.Integer(), nullable=True),
        sa.Column("unavailable_slots", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=32), nullable=True),
        sa.Column("need_ids", sa.JSON(), nullable=False),
        sa.Column("achievement_ids", sa.JSON(), nullable=False),
        sa.Column("scenario_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "organisation_id", name="uq_event_participant_org"),
    )
    with op.batch_alter_table("event_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_participants_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_participants_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_participants_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "event_pair_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("a_id", sa.Integer(), nullable=False),
        sa.Column("b_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["a_id"], ["event_participants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["b_id"], ["event_participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "a_id", "b_id", name="uq_event_pair_rule"),
    )
    with op.batch_alter_table("event_pair_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_pair_rules_event_id"), ["event_id"], unique=False
        )

    op.create_table(
        "event_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("scorer", sa.String(length=32), nullable=False),
        sa.Column("objective", sa.Float(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("unmet", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "version", name="uq_event_plan_version"),
    )
    with op.batch_alter_table("event_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_plans_event_id"), ["event_id"], unique=False)

    op.create_table(
        "event_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("a_id", sa.Integer(), nullable=False),
        sa.Column("b_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("table_no", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["event_plans.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["a_id"], ["event_participants.id"]),
        sa.ForeignKeyConstraint(["b_id"], ["event_participants.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "slot", "table_no", name="uq_event_meeting_place"),
    )
    with op.batch_alter_table("event_meetings", schema=None) as batch_op:
        batch_op.create_index("ix_event_meetings_plan", ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_meetings_a_id"), ["a_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_meetings_b_id"), ["b_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_meetings_b_id"))
        batch_op.drop_index(batch_op.f("ix_event_meetings_a_id"))
        batch_op.drop_index("ix_event_meetings_plan")
    op.drop_table("event_meetings")
    with op.batch_alter_table("event_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_plans_event_id"))
    op.drop_table("event_plans")
    with op.batch_alter_table("event_pair_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_pair_rules_event_id"))
    op.drop_table("event_pair_rules")
    with op.batch_alter_table("event_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_participants_updated_at"))
        batch_op.drop_index(batch_op.f("ix_event_participants_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_event_participants_event_id"))
    op.drop_table("event_participants")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_updated_at"))
        batch_op.drop_index(batch_op.f("ix_events_park_id"))
        batch_op.drop_index(batch_op.f("ix_events_date"))
    op.drop_table("events")
