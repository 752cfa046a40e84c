"""Tables of background jobs on a queue: the jobs, their chunks (embedding chunks, digest shards)
and the embedding cache every process shares when a broker is configured."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.store.models import Base, UTCDateTime, utcnow

# A job's life; an import passes through writing and indexing, a digest through sending.
JOB_STATUSES: dict[str, str] = {
    "queued": "排队中",
    "writing": "写入中",
    "indexing": "嵌入中",
    "sending": "发送中",
    "done": "已完成",
    "failed": "失败",
}


class BackgroundJob(Base):
    """One job handed to the queue: what it is, how far it got, what it reported."""

    __tablename__ = "background_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # import | digest
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    # an import's parsed rows (gzip JSON) until the worker has written them; then emptied
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # the progress document the API shows (ImportJob fields for an import, counts for a digest)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class JobChunk(Base):
    """One piece of a job a worker runs as its own task (items to embed, subscribers to mail)."""

    __tablename__ = "background_job_chunks"

    job_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("background_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_kind: Mapped[str] = mapped_column(String(16), default="")
    ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CachedEmbedding(Base):
    """A vector keyed by (embedder fingerprint, query/document, sha256 of the text)."""

    __tablename__ = "embedding_cache"

    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    text_sha256: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
