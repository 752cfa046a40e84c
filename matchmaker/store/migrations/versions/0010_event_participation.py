"""event participation: invitations with RSVP, meeting requests and wishes, participant e-mails

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 17:00:00

Events get an RSVP deadline and humane-schedule settings, plans the wish bonus they included,
participants the moment they checked in on the day;
invitations (signed-link RSVP), the
participants' requests / wishes / not-interested marks and a log of every e-mail to participants
(sent exactly once per invitation, kind and reference) get tables of their own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("rsvp_deadline", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("schedule_rules", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    # Events planned before keep their packed schedules: no back-to-back cap (new ones spread).
    op.execute('UPDATE events SET schedule_rules = \'{"placement": "compact"}\'')
    with op.batch_alter_table("event_participants") as batch:
        batch.add_column(sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("event_plans") as batch:
        batch.add_column(
            sa.Column("bonuses", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    op.create_table(
        "event_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fit", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("available_slots", sa.JSON(), nullable=False),
        sa.Column("max_meetings", sa.Integer(), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("looking_for", sa.Text(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("invited_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["event_participants.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "organisation_id", name="uq_event_invitation_org"),
    )
    op.create_index("ix_event_invitations_event_id", "event_invitations", ["event_id"])
    op.create_index(
        "ix_event_invitations_organisation_id", "event_invitations", ["organisation_id"]
    )
    op.create_table(
        "event_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["from_id"], ["event_participants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["to_id"], ["event_participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "from_id", "to_id", name="uq_event_request"),
    )
    op.create_index("ix_event_requests_event_id", "event_requests", ["event_id"])
    op.create_index("ix_event_requests_from_id", "event_requests", ["from_id"])
    op.create_index("ix_event_requests_to_id", "event_requests", ["to_id"])
    op.create_table(
        "event_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invitation_id"], ["event_invitations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("invitation_id", "kind", "ref", name="uq_event_notice"),
    )
    op.create_index("ix_event_notices_event_id", "event_notices", ["event_id"])
    op.create_index("ix_event_notices_invitation_id", "event_notices", ["invitation_id"])


def downgrade() -> None:
    for table, columns in (
        ("event_notices", ("invitation_id", "event_id")),
        ("event_requests", ("to_id", "from_id", "event_id")),
        ("event_invitations", ("organisation_id", "event_id")),
    ):
        for column in columns:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.drop_table(table)
    with op.batch_alter_table("event_plans") as batch:
        batch.drop_column("bonuses")
    with op.batch_alter_table("event_participants") as batch:
        batch.drop_column("checked_in_at")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("schedule_rules")
        batch.drop_column("rsvp_deadline")
