"""The objects one process shares, made once: settings, embedder, index, search and recommender.

The API keeps one `Container` on `app.state` (reached through `api/deps.py`); the CLI and jobs use
`get_container()`. Nothing else builds an embedder, an index or a recommender of its own.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING

from matchmaker.core.config import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from matchmaker.ranking.service import Recommender
    from matchmaker.retrieval.embed import Embedder, EmbeddingCache
    from matchmaker.retrieval.explain import TermStats
    from matchmaker.retrieval.index.backend import VectorFactory
    from matchmaker.retrieval.index.service import SearchIndex
    from matchmaker.retrieval.search import SearchService
    from matchmaker.retrieval.vectors import TextVectors


class Container:
    """Settings and the heavy shared objects, each created on first use and then reused."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        engine: Engine | None = None,
        embedder: Embedder | None = None,
        embedding_cache: EmbeddingCache | None = None,
    ) -> None:
        """`engine`, `embedder` and `embedding_cache` replace the configured ones (evaluation runs
        over a temporary database, tests with a small embedder)."""
        self.settings = settings or get_settings()
        self.engine = engine
        self._lock = threading.RLock()
        self._index: SearchIndex | None = None
        self._started = False  # start_index() was called: the index opens on a thread
        self._opened = threading.Event()  # the saved index is read (or opening failed)
        self._caught_up = threading.Event()  # ... and has caught up with the database
        self.start_error: str | None = None
        self._stop = threading.Event()
        if embedder is not None:
            self.__dict__["embedder"] = embedder
        if embedding_cache is not None:
            self.__dict__["embedding_cache"] = embedding_cache

    @cached_property
    def embedder(self) -> Embedder:
        """The configured embedder (loading its model takes a second or two)."""
        from matchmaker.retrieval.embed import get_embedder

        return get_embedder(self.settings.embedder)

    @cached_property
    def embedding_cache(self) -> EmbeddingCache:
        """The on-disk embedding cache under the data directory, or the database's own when jobs
        run on a queue (workers on other machines fill it, every process reads it)."""
        from matchmaker.retrieval.embed import EmbeddingCache

        if self.settings.queued:
            from matchmaker.retrieval.embed.db_cache import DbEmbeddingCache
            from matchmaker.store.db import get_engine

            return DbEmbeddingCache(self.engine or get_engine(self.settings.resolved_database_url))
        return EmbeddingCache(self.settings.embedding_cache_dir)

    @cached_property
    def vectors(self) -> TextVectors:
        """Item and term vectors from the index's own embedder and cache (digests, maps)."""
        from matchmaker.retrieval.vectors import TextVectors

        return TextVectors(self.embedder, self.embedding_cache)

    def vector_factory(self) -> VectorFactory | None:
        """The configured vector store (MATCHMAKER_VECTOR_STORE): None for in-process FAISS;
        for pgvector, raises PgVectorUnavailable (naming the setting) on an unfit database."""
        from matchmaker.retrieval.index.stores import configured_factory

        if self.settings.vector_store == "faiss":
            return None
        from matchmaker.store.db import get_engine

        engine = self.engine or get_engine()
        return configured_factory(
            self.settings, engine, self.embedder.fingerprint, self.embedder.dim
        )

    @property
    def index_loaded(self) -> bool:
        """Whether the search index has been loaded (readiness)."""
        return self._index is not None

    def start_index(self) -> None:
        """Open the index on a background thread: read the saved index, then catch up with the
        database (the backlog is searchable by its words meanwhile), save, make the
        recommender. The server answers from the start; `starting` says when it is done."""
        with self._lock:
            if self._started or self._index is not None:
                return
            self._started = True
        threading.Thread(target=self._open_and_catch_up, name="index-start", daemon=True).start()

    def _open_and_catch_up(self) -> None:
        import logging

        from matchmaker.retrieval.index.service import SearchIndex
        from matchmaker.store.db import session_scope

        log = logging.getLogger("matchmaker.index")
        try:
            index = SearchIndex(
                self.embedder,
                self.settings.index_dir,
                cache=self.embedding_cache,
                vector_factory=self.vector_factory(),
            )
            index.read_saved()
            with self._lock:
                self._index = index
            self._opened.set()
            with session_scope(self.engine) as session:
                report = index.sync(session)
            if report.changed or report.rebuilt_reason or index.saved_at is None:
                index.save()
            log.info("index caught up: %s", report.summary().replace("\n", "; "))
            self.recommender  # noqa: B018 - made now, so the first request does not pay for it
            with session_scope(self.engine) as session:  # the first search must not load models
                from matchmaker.core.kinds import TECH_TRANSFER

                # the explainer's vocabulary (term_stats gives none while starting)
                self.recommender.context(session, TECH_TRANSFER)
                seconds = self.search.warm_up(session)
            log.info("search warmed up in %.1f s", seconds)
        except Exception as exc:  # reported by /ready; the server keeps answering
            log.exception("opening the search index failed")
            self.start_error = f"{type(exc).__name__}: {exc}"
            return
        finally:
            self._opened.set()
            self._caught_up.set()
        if index.vector_factory is not None:  # replicas share the vectors: follow their writes
            threading.Thread(
                target=self._follow_changes, args=(index,), name="index-follow", daemon=True
            ).start()
        self._keep_catching_up(index)

    def _follow_changes(self, index: SearchIndex) -> None:
        """Every MATCHMAKER_VECTOR_POLL_SECONDS, apply items other replicas wrote or deleted
        (their vectors come from PostgreSQL, nothing is embedded here)."""
        import logging

        from matchmaker.retrieval.index.follow import ChangeFollower
        from matchmaker.store.db import session_scope

        log = logging.getLogger("matchmaker.index")
        follower = ChangeFollower(index)
        while not self._stop.wait(self.settings.vector_poll_seconds):
            try:
                with session_scope(self.engine) as session:
                    report = follower.poll(session)
                if report.changed:
                    log.info(
                        "followed other replicas: %d upserted, %d removed, %d vectors taken",
                        report.upserted,
                        report.removed,
                        report.adopted,
                    )
            except Exception:  # the next poll tries again; searches go on meanwhile
                log.exception("following the database failed")

    def _keep_catching_up(self, index: SearchIndex) -> None:
        """Every MATCHMAKER_INDEX_CATCH_UP_SECONDS, sync the index when the database changed
        behind its back (counts or newest change per kind), and save it."""
        import logging

        from matchmaker.retrieval.index.integrity import change_marker
        from matchmaker.store.db import session_scope

        log = logging.getLogger("matchmaker.index")
        interval = self.settings.index_catch_up_seconds
        if interval <= 0:
            return
        marker = None
        while not self._stop.wait(interval):
            try:
                with session_scope(self.engine) as session:
                    now = change_marker(session)
                    if now == marker:
                        continue
                    report = index.sync(session)
                marker = now
                if report.changed:
                    index.save()
                    log.info("index caught up: %s", report.summary().replace("\n", "; "))
            except Exception:  # the next round tries again; searches go on meanwhile
                log.exception("catching up with the database failed")

    def stop(self) -> None:
        """Stop the background catch-up (server shutdown)."""
        self._stop.set()

    @property
    def starting(self) -> bool:
        """Whether a background start is still reading the index or catching up."""
        return self._started and not self._caught_up.is_set()

    def wait_started(self, timeout: float | None = None) -> bool:
        """Wait until a background start has caught up (True) or the timeout passed (False)."""
        return self._caught_up.wait(timeout) if self._started else True

    def backlog(self) -> int | None:
        """Items still waiting for their embedding (None while the saved index is being read)."""
        index = self._index
        return None if index is None else index.backlog()

    def index(self) -> SearchIndex:
        """The search index: loaded from the data directory and synced on first use (or, after
        `start_index`, the one opening in the background, once its saved part is read)."""
        if self._started:
            self._opened.wait()
        with self._lock:
            if self._index is None:
                from matchmaker.retrieval.index.service import open_index
                from matchmaker.store.db import session_scope

                with session_scope(self.engine) as session:
                    self._index = open_index(
                        session,
                        self.embedder,
                        self.settings.index_dir,
                        cache=self.embedding_cache,
                        vector_factory=self.vector_factory(),
                    )
            return self._index

    @cached_property
    def recommender(self) -> Recommender:
        """The recommender over this container's index and data directory."""
        from matchmaker.ranking.service import Recommender

        return Recommender(index=self.index(), data_dir=self.settings.data_dir)

    @cached_property
    def search(self) -> SearchService:
        """Search by need over this container's index, explained with the recommender's words."""
        from matchmaker.retrieval.calibration import calibrator_for
        from matchmaker.retrieval.search import SearchService

        index = self.index()
        calibrator = calibrator_for(index.embedder.name)
        return SearchService(index, term_stats=self.term_stats, calibrator=calibrator)

    def term_stats(self, session: Session) -> TermStats:
        """Word statistics of the recommender's catalogue, for ranking a hit's shared words: its
        last snapshot (a write's words count from the next ranking on; a search never waits for
        the recommender to rebuild), built once when there is none yet (none while the index
        catches up at start: explanations use unweighted words meanwhile)."""
        from matchmaker.core.kinds import TECH_TRANSFER
        from matchmaker.retrieval.explain import TermStats

        rec = self.recommender
        last = rec.last_space()
        if last is None and self.starting:  # building it would embed the backlog in this request
            return TermStats()
        space = last or rec.context(session, TECH_TRANSFER).space
        return TermStats(space.df, space.n_docs, getattr(space, "vocabulary", None))


_default: Container | None = None
_default_lock = threading.Lock()


def get_container() -> Container:
    """The process-wide container (CLI commands and jobs); the API keeps its own on app.state."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Container()
        return _default


def reset_container() -> None:
    """Forget the process-wide container (tests that change the environment)."""
    global _default
    with _default_lock:
        _default = None
