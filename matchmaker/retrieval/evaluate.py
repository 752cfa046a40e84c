"""`matchmaker eval`: retrieval quality of the shipped search on a BEIR-format folder.

The corpus is stored in a temporary database, each document as an achievement of a placeholder
organisation (so it is indexed from the same `embedding_text()` users' items are), the index is
built by the same container and sync as the product's, and every judged query goes through
`SearchService.search` — the call the API and the web page make. `--retriever dense|lexical`
runs the same call with one signal only (ablation).
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from matchmaker.core.metrics import ndcg_at, recall_at, reciprocal_rank
from matchmaker.retrieval.beir import BeirData, BeirFormatError, document_text, load_beir
from matchmaker.retrieval.embed import Embedder, EmbeddingCache
from matchmaker.retrieval.index.service import MODES, Mode
from matchmaker.retrieval.search import SearchRequest, SearchService
from matchmaker.retrieval.understand import Switches

RETRIEVERS: tuple[str, ...] = ("dense", "lexical", "hybrid")
DEPTH = 100  # ranked documents kept per query (Recall@100 needs 100)
METRIC_KEYS = ("ndcg@10", "mrr@10", "recall@1", "recall@10", "recall@100")
PLACEHOLDER_ORG = "BEIR-EVAL"

__all__ = [
    "BeirData",
    "BeirFormatError",
    "RETRIEVERS",
    "document_text",
    "evaluate",
    "load_beir",
    "metrics_for",
    "ranked_lists",
]


def default_cache_dir() -> Path:
    """Where eval keeps embeddings: <data dir>/cache (shared with the search index) when
    MATCHMAKER_DATA_DIR is set (environment or .env), else $XDG_CACHE_HOME/matchmaker
    (default ~/.cache/matchmaker), so a bare `matchmaker eval` leaves nothing in the cwd."""
    from matchmaker.core.config import Settings, user_cache_dir

    settings = Settings()  # fresh read: eval may run with a different environment than startup
    if "data_dir" in settings.model_fields_set:
        return settings.data_dir / "cache"
    return user_cache_dir()


def metrics_for(ranked: list[str], relevant: dict[str, int]) -> dict[str, float]:
    """nDCG@10 (linear gain), RR@10 and Recall@1/10/100 of one ranked list."""
    return {
        "ndcg@10": ndcg_at(ranked, relevant, 10),
        "mrr@10": reciprocal_rank(ranked, relevant, 10),
        "recall@1": recall_at(ranked, relevant, 1),
        "recall@10": recall_at(ranked, relevant, 10),
        "recall@100": recall_at(ranked, relevant, 100),
    }


def _open_cache(directory: Path) -> EmbeddingCache | None:
    """The embedding cache, or None (with a warning) when the folder cannot be written."""
    try:
        cache = EmbeddingCache(directory)
        cache.count()
    except (OSError, sqlite3.Error) as exc:
        print(
            f"警告：无法使用向量缓存 {directory}，本次不缓存 / warning: embedding cache unusable, "
            f"running without it: {exc}",
            file=sys.stderr,
        )
        return None
    return cache


@dataclass
class Searchable:
    """A BEIR corpus as the product holds it: the search service, a session, item id → doc id."""

    data: BeirData
    service: SearchService
    session: Session
    doc_of: dict[int, str]
    cache: EmbeddingCache | None


def _store_corpus(session: Session, data: BeirData) -> dict[int, str]:
    """Every document as an active achievement of one placeholder organisation."""
    from matchmaker.store.models import Achievement, Organisation

    owner = Organisation(
        external_id=PLACEHOLDER_ORG,
        name="评测语料 / evaluation corpus",
        kind="university",
        province="广西",
    )
    session.add(owner)
    session.flush()
    items = []
    for doc_id, title, body in zip(data.doc_ids, data.doc_titles, data.doc_bodies, strict=True):
        item = Achievement(
            external_id=doc_id[:64], title=title, summary=body, applications="", trl=5, owner=owner
        )
        item.refresh_hash()
        items.append(item)
    session.add_all(items)
    session.flush()
    return {int(item.id): doc_id for item, doc_id in zip(items, data.doc_ids, strict=True)}


@contextmanager
def searchable(
    folder: Path | str,
    embedder_factory: Callable[[], Embedder] | None = None,
    cache_dir: Path | None = None,
) -> Iterator[Searchable]:
    """A BEIR folder loaded into a temporary database and indexed by a container of its own."""
    from matchmaker.core.config import Settings
    from matchmaker.core.container import Container
    from matchmaker.store.db import make_engine, session_scope, upgrade

    data = load_beir(folder)
    if embedder_factory is None:
        from matchmaker.retrieval.embed import get_embedder

        embedder = get_embedder()
    else:
        embedder = embedder_factory()
    cache = _open_cache(cache_dir or default_cache_dir() / "embeddings")
    with tempfile.TemporaryDirectory(prefix="matchmaker-eval-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'eval.db'}")
        try:
            upgrade(engine)
            with session_scope(engine) as session:
                doc_of = _store_corpus(session, data)
            settings = Settings.model_validate({"MATCHMAKER_DATA_DIR": tmp})
            container = Container(settings, engine=engine, embedder=embedder, embedding_cache=cache)
            service = container.search
            with session_scope(engine) as session:
                yield Searchable(data, service, session, doc_of, cache)
        finally:
            engine.dispose()


def ranked_lists(
    corpus: Searchable, mode: Mode, depth: int = DEPTH
) -> list[list[tuple[str, float]]]:
    """Every judged query through `SearchService.search`: (doc id, score) best first."""
    if mode != "lexical":
        corpus.service.warm_queries(corpus.data.query_texts, corpus.cache)
    out: list[list[tuple[str, float]]] = []
    for text in corpus.data.query_texts:
        request = SearchRequest(query=text, limit=depth, mode=mode, explain=False)
        found = corpus.service.search(corpus.session, request)
        out.append([(corpus.doc_of[h.id], h.score) for h in found.hits])
    return out


def average(data: BeirData, rankings: list[list[str]]) -> dict[str, float]:
    """Mean of every metric over the judged queries."""
    totals = dict.fromkeys(METRIC_KEYS, 0.0)
    for query_id, ranked in zip(data.query_ids, rankings, strict=True):
        for key, value in metrics_for(ranked, data.qrels[query_id]).items():
            totals[key] += value
    count = len(data.query_ids)
    return {key: round(totals[key] / count, 4) for key in METRIC_KEYS}


def evaluate(
    folder: Path | str,
    retriever: str = "hybrid",
    embedder_factory: Callable[[], Embedder] | None = None,
    cache_dir: Path | None = None,
    switches: Switches | None = None,
) -> dict[str, float | int | str]:
    """Run every judged query of a BEIR folder through the shipped search; average the metrics
    (`switches`: query-understanding steps, all on as shipped)."""
    if retriever not in RETRIEVERS or retriever not in MODES:
        raise ValueError(f"未知检索方式 / unknown retriever {retriever!r}: {', '.join(RETRIEVERS)}")
    started = time.perf_counter()
    mode: Mode = (
        "dense" if retriever == "dense" else "lexical" if retriever == "lexical" else "hybrid"
    )
    with searchable(folder, embedder_factory, cache_dir) as corpus:
        if switches is not None:
            corpus.service.set_switches(switches)
        rankings = [[doc for doc, _ in ranked] for ranked in ranked_lists(corpus, mode)]
        result: dict[str, float | int | str] = {"retriever": retriever}
        result.update(average(corpus.data, rankings))
        result["queries"] = len(corpus.data.query_ids)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result
