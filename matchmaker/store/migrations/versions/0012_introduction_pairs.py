"""introductions name both sides' items (the pair they feed to the funnel and the re-ranker)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 20:00:00

An introduction now records the requester's own item the request came from (`source_kind`,
`source_id`: the need, achievement or scenario the recommendation or search was for) beside the
target item, and the track of the pair they form (`track`). Older rows keep them empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("introductions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("track", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("introductions", schema=None) as batch_op:
        batch_op.drop_column("track")
        batch_op.drop_column("source_id")
        batch_op.drop_column("source_kind")
