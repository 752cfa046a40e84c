"""item vectors in PostgreSQL (pgvector), when the server offers the extension

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 20:00:00

`item_vectors` holds one L2-normalised vector per (embedder fingerprint, kind, item id) with the
content hash it was made from, for MATCHMAKER_VECTOR_STORE=pgvector. The column is an untyped
`vector`; the HNSW indexes are partial expression indexes over `embedding::vector(dim)` per
(kind, fingerprint), created by the store when it first opens with an embedder (dimension and
fingerprint are the embedder's). On SQLite, or on a PostgreSQL server without the `vector`
extension in `pg_available_extensions`, this migration does nothing: the embedded default
(FAISS) does not need it, and MATCHMAKER_VECTOR_STORE=pgvector then refuses to start with a
message naming the setting.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _pgvector_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    found = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    ).scalar()
    return found is not None


def upgrade() -> None:
    if not _pgvector_available():
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute(
        """
        CREATE TABLE IF NOT EXISTS item_vectors (
            fingerprint VARCHAR(64) NOT NULL,
            kind VARCHAR(16) NOT NULL,
            item_id BIGINT NOT NULL,
            dim INTEGER NOT NULL,
            content_hash VARCHAR(64) NOT NULL,
            embedding vector NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            CONSTRAINT pk_item_vectors PRIMARY KEY (fingerprint, kind, item_id),
            CONSTRAINT ck_item_vectors_dim CHECK (vector_dims(embedding) = dim)
        )
        """
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("DROP TABLE IF EXISTS item_vectors")
