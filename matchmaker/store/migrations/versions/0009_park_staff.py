"""park staff: keys bound to a park; regulated firms' R&D status (双清零)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 17:10:00

Achievements may leave TRL unknown (未标注). `finance_products` holds the 科技金融驿站's
financial products. Keys of the role `park_staff` act for one park (their statistics, their park's map actions);
other roles leave `park_id` empty. `label_flags` keeps industry labels an import could not map
(imported with --skip-invalid) until staff map them. Organisations gain `regulated` (规上工业企业), `rd_institution`
and `rd_activity` (有无研发机构/研发活动), empty when not reported.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


FLAGS = ("regulated", "rd_institution", "rd_activity")


def upgrade() -> None:
    op.create_table(
        "finance_products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("product_type", sa.String(length=32), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("industries", sa.JSON(), nullable=False),
        sa.Column("trl_min", sa.Integer(), nullable=True),
        sa.Column("trl_max", sa.Integer(), nullable=True),
        sa.Column("amount_min", sa.Float(), nullable=True),
        sa.Column("amount_max", sa.Float(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_finance_products_external_id", "finance_products", ["external_id"], unique=True
    )
    op.create_index("ix_finance_products_product_type", "finance_products", ["product_type"])
    op.create_index("ix_finance_products_status", "finance_products", ["status"])
    op.create_index("ix_finance_products_updated_at", "finance_products", ["updated_at"])
    # real achievement lists often state no maturity: TRL may be unknown (shown as 未标注)
    with op.batch_alter_table("achievements", schema=None) as batch_op:
        batch_op.alter_column("trl", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "label_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_to", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_label_flags_record_kind", "label_flags", ["record_kind"])
    op.create_index("ix_label_flags_record_id", "label_flags", ["record_id"])
    op.create_index("ix_label_flags_label", "label_flags", ["label"])
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        for name in FLAGS:
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=True))
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("park_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_api_keys_park_id", "parks", ["park_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    for name in ("updated_at", "status", "product_type", "external_id"):
        op.drop_index(f"ix_finance_products_{name}", table_name="finance_products")
    op.drop_table("finance_products")
    # refuses (NOT NULL) while achievements without a TRL exist: state their TRL first
    with op.batch_alter_table("achievements", schema=None) as batch_op:
        batch_op.alter_column("trl", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_label_flags_label", table_name="label_flags")
    op.drop_index("ix_label_flags_record_id", table_name="label_flags")
    op.drop_index("ix_label_flags_record_kind", table_name="label_flags")
    op.drop_table("label_flags")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_constraint("fk_api_keys_park_id", type_="foreignkey")
        batch_op.drop_column("park_id")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        for name in FLAGS:
            batch_op.drop_column(name)
