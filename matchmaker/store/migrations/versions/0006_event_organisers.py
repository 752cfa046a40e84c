"""event organiser teams and internal notes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 00:00:00

Every event gets an organiser team (its creator and co-organisers); existing events get their
creator's API key ("organiser:12" / "admin:3" in events.created_by) as the first member. Events
without a known creator are seen by admins until one adds a team.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CREATOR = re.compile(r"^(?:admin|organiser):(\d+)$")


def upgrade() -> None:
    op.create_table(
        "event_organisers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "principal", name="uq_event_organiser"),
    )
    op.create_index("ix_event_organisers_event_id", "event_organisers", ["event_id"])
    op.create_index("ix_event_organisers_principal", "event_organisers", ["principal"])
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("internal_note", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    events = sa.table("events", sa.column("id", sa.Integer()), sa.column("created_by", sa.String()))
    team = sa.table(
        "event_organisers",
        sa.column("event_id", sa.Integer()),
        sa.column("principal", sa.String()),
        sa.column("added_by", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    rows = []
    for event_id, created_by in bind.execute(sa.select(events.c.id, events.c.created_by)):
        found = CREATOR.match(created_by or "")
        if found:
            rows.append(
                {
                    "event_id": event_id,
                    "principal": f"key:{found.group(1)}",
                    "added_by": "migration 0006",
                    "created_at": sa.func.now(),
                }
            )
    for row in rows:
        bind.execute(sa.insert(team).values(**row))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("internal_note")
    op.drop_index("ix_event_organisers_principal", table_name="event_organisers")
    op.drop_index("ix_event_organisers_event_id", table_name="event_organisers")
    op.drop_table("event_organisers")
