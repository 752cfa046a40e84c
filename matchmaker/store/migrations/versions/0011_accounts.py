"""person accounts, organisation requests, item reviews, introductions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 00:00:00

People sign in with e-mail and password (`users`), ask for a new organisation
(`organisation_requests`, approved by park staff) and submit their organisation's items for
review (`item_reviews`: submitted, published, sent back with a comment), and ask for consented
introductions to the owners of items (`introductions`: requested → accepted/declined → met →
signed, dated).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("org_role", sa.String(length=16), nullable=True),
        sa.Column("membership", sa.String(length=16), nullable=True),
        sa.Column("session_generation", sa.Integer(), nullable=False),
        sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["park_id"], ["parks.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_users_email", "users", ["email"], unique=True)
    op.create_index("ix_users_organisation_id", "users", ["organisation_id"])
    op.create_table(
        "organisation_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("province", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=True),
        sa.Column("park_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["park_id"], ["parks.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_organisation_requests_user_id", "organisation_requests", ["user_id"])
    op.create_index("ix_organisation_requests_park_id", "organisation_requests", ["park_id"])
    op.create_index("ix_organisation_requests_status", "organisation_requests", ["status"])
    op.create_table(
        "item_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_item_reviews_item_id", "item_reviews", ["item_id"])
    op.create_table(
        "introductions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("from_org_id", sa.Integer(), nullable=False),
        sa.Column("to_org_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["requester_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["from_org_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["to_org_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    for name in ("requester_id", "from_org_id", "to_org_id", "status"):
        op.create_index(f"ix_introductions_{name}", "introductions", [name])


def downgrade() -> None:
    for name in ("requester_id", "from_org_id", "to_org_id", "status"):
        op.drop_index(f"ix_introductions_{name}", table_name="introductions")
    op.drop_table("introductions")
    op.drop_index("ix_item_reviews_item_id", table_name="item_reviews")
    op.drop_table("item_reviews")
    for name in ("status", "park_id", "user_id"):
        op.drop_index(f"ix_organisation_requests_{name}", table_name="organisation_requests")
    op.drop_table("organisation_requests")
    op.drop_index("ix_users_organisation_id", table_name="users")
    op.drop_index("ix_users_email", table_name="users")
    op.drop_table("users")
