"""park staff keys: an API key may be bound to one park

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-03 17:10:00

Keys of the role `park_staff` act for one park (their statistics, their park's map actions);
other roles leave `park_id` empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("park_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_api_keys_park_id", "parks", ["park_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_constraint("fk_api_keys_park_id", type_="foreignkey")
        batch_op.drop_column("park_id")
