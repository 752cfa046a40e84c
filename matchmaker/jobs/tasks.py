"""The tasks workers run; each reads its settings, engine and embedder from the worker process."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from matchmaker.jobs.digests import SHARD_TASK
from matchmaker.jobs.imports import EMBED_TASK, WRITE_TASK

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger("matchmaker.jobs.tasks")
SHARD_RETRY_SECONDS = 30
SHARD_RETRIES = 20


def _context() -> tuple[Any, Any, Any]:
    """This worker's settings, engine and container (made once per process)."""
    from matchmaker.core.container import get_container
    from matchmaker.store.db import get_engine

    container = get_container()
    engine = get_engine(container.settings.resolved_database_url)
    return container.settings, engine, container


def import_write_task(job_id: str) -> None:
    """Write a stored import (all or nothing) and queue its embedding chunks."""
    from matchmaker.jobs.imports import write_import

    settings, engine, _ = _context()
    write_import(job_id, settings, engine)


def embed_chunk_task(job_id: str, seq: int) -> None:
    """Embed one chunk of an import's items into the shared embedding cache."""
    from matchmaker.jobs.imports import embed_chunk
    from matchmaker.retrieval.embed import embed_documents_cached

    _, engine, container = _context()

    def embed(texts: list[str]) -> None:
        embed_documents_cached(container.embedder, texts, container.embedding_cache)

    embed_chunk(job_id, seq, embed, engine)


def warm_up(**_: object) -> None:
    """Load the embedder before the first task (a model takes seconds to load), so a worker
    reports ready only once it can embed."""
    from matchmaker.core.container import get_container

    try:
        log.info("embedder %s loaded", get_container().embedder.name)
    except Exception:  # the first task reports the problem
        log.exception("could not load the embedder")


def _warm_up_solo(sender: object = None, **_: object) -> None:
    """Warm up the main process only when it runs the tasks itself (no pool to fork later)."""
    if "solo" in str(getattr(sender, "pool_cls", "")).lower():
        warm_up()


def register(app: Celery) -> None:
    """Register the project's tasks on a Celery app (and the warm-up on worker start)."""
    from celery import signals

    signals.worker_process_init.connect(warm_up, weak=False)  # each process of a pool
    signals.worker_init.connect(_warm_up_solo, weak=False)  # a solo worker, before it says ready

    app.task(name=WRITE_TASK, lazy=False)(import_write_task)
    app.task(name=EMBED_TASK, lazy=False)(embed_chunk_task)

    @app.task(name=SHARD_TASK, bind=True, max_retries=SHARD_RETRIES, lazy=False)
    def digest_shard_task(self: Any, job_id: str, seq: int) -> str:
        """Send one shard of a digest run; retried later when SMTP keeps failing."""
        from matchmaker.jobs.digests import run_shard

        settings, engine, container = _context()
        try:
            return run_shard(job_id, seq, settings, engine, container)
        except RuntimeError as exc:
            log.warning("digest shard %s/%s stopped: %s", job_id, seq, exc)
            raise self.retry(exc=exc, countdown=SHARD_RETRY_SECONDS) from exc
