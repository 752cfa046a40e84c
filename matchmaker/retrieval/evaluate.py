"""Retrieval quality on a BEIR-format folder: the numbers behind every embedder/fusion choice."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from matchmaker.retrieval.embed import (
    Embedder,
    EmbeddingCache,
    embed_documents_cached,
    embed_queries_cached,
)
from matchmaker.retrieval.index.hybrid import FusionParams, fuse
from matchmaker.retrieval.index.lexical import CharNgramIndex, LexicalIndex

Retriever = Literal["dense", "lexical", "hybrid"]
RETRIEVERS: tuple[str, ...] = ("dense", "lexical", "hybrid")
DEPTH = 100  # ranked documents kept per query (Recall@100 needs 100)
METRIC_KEYS = ("ndcg@10", "mrr@10", "recall@1", "recall@10", "recall@100")


class BeirFormatError(ValueError):
    """The folder is not a readable BEIR dataset (missing file, bad line)."""


@dataclass(frozen=True)
class BeirData:
    """A BEIR dataset in memory: documents, the queries that have judgements, and the judgements."""

    doc_ids: list[str]
    doc_texts: list[str]
    query_ids: list[str]
    query_texts: list[str]
    qrels: dict[str, dict[str, int]]  # query id -> {doc id: grade > 0}


def default_cache_dir() -> Path:
    """Where eval keeps embeddings: <data dir>/cache (shared with the search index) when
    MATCHMAKER_DATA_DIR is set (environment or .env), else $XDG_CACHE_HOME/matchmaker
    (default ~/.cache/matchmaker), so a bare `matchmaker eval` leaves nothing in the cwd."""
    from matchmaker.core.config import Settings

    settings = Settings()  # fresh read: eval may run with a different environment than startup
    if "data_dir" in settings.model_fields_set:
        return settings.data_dir / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "matchmaker"


def document_text(record: dict[str, object]) -> str:
    """Title and body as one text, the way documents are embedded and indexed everywhere."""
    parts = (str(record.get("title") or "").strip(), str(record.get("text") or "").strip())
    return " ".join(p for p in parts if p)


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    if not path.is_file():
        raise BeirFormatError(f"缺少文件 / missing file: {path}")
    records: list[dict[str, object]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BeirFormatError(
                    f"{path} 第 {number} 行不是 JSON / line {number} is not JSON: {exc}"
                ) from exc
            if not isinstance(record, dict) or "_id" not in record:
                raise BeirFormatError(f"{path} 第 {number} 行缺少 _id / line {number} has no _id")
            records.append(record)
    return records


def _read_qrels(path: Path) -> dict[str, dict[str, int]]:
    if not path.is_file():
        raise BeirFormatError(f"缺少文件 / missing file: {path}")
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.rstrip("\n").split("\t")
            if number == 1 and fields[0] == "query-id":
                continue
            if not line.strip():
                continue
            if len(fields) != 3:
                raise BeirFormatError(
                    f"{path} 第 {number} 行应为 3 列 / line {number} should have 3 tab-separated columns"
                )
            try:
                grade = int(float(fields[2]))
            except ValueError as exc:
                raise BeirFormatError(
                    f"{path} 第 {number} 行分数无效 / line {number}: bad score"
                ) from exc
            if grade > 0:
                qrels.setdefault(fields[0], {})[fields[1]] = grade
    return qrels


def load_beir(folder: Path | str, split: str = "test") -> BeirData:
    """Read corpus.jsonl, queries.jsonl and qrels/<split>.tsv; keep queries with judgements."""
    root = Path(folder)
    if not root.is_dir():
        raise BeirFormatError(f"目录不存在 / not a folder: {root}")
    corpus = _read_jsonl(root / "corpus.jsonl")
    queries = _read_jsonl(root / "queries.jsonl")
    qrels = _read_qrels(root / "qrels" / f"{split}.tsv")
    doc_ids = [str(r["_id"]) for r in corpus]
    doc_texts = [document_text(r) for r in corpus]
    empty = [doc_ids[i] for i, t in enumerate(doc_texts) if not t.strip()]
    if empty:
        raise BeirFormatError(f"文档没有文本 / documents without text: {', '.join(empty[:5])}")
    known_docs = set(doc_ids)
    query_ids: list[str] = []
    query_texts: list[str] = []
    for record in queries:
        query_id, text = str(record["_id"]), str(record.get("text") or "").strip()
        judged = {d: g for d, g in qrels.get(query_id, {}).items() if d in known_docs}
        if judged and text:
            query_ids.append(query_id)
            query_texts.append(text)
    if not doc_ids or not query_ids:
        raise BeirFormatError(
            f"没有可评测的查询（检查 qrels 与 corpus 的 id）/ no judged queries to evaluate in {root}"
        )
    return BeirData(doc_ids, doc_texts, query_ids, query_texts, qrels)


def metrics_for(ranked: list[str], relevant: dict[str, int]) -> dict[str, float]:
    """nDCG@10 (linear gain), RR@10 and Recall@1/10/100 of one ranked list."""
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    reciprocal = next((1.0 / (i + 1) for i, d in enumerate(ranked[:10]) if d in relevant), 0.0)
    total = len(relevant)

    def recall(k: int) -> float:
        return sum(1 for d in ranked[:k] if d in relevant) / total

    return {
        "ndcg@10": dcg / idcg if idcg else 0.0,
        "mrr@10": reciprocal,
        "recall@1": recall(1),
        "recall@10": recall(10),
        "recall@100": recall(100),
    }


def _top(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    order = sorted(top.tolist(), key=lambda i: (-float(scores[i]), i))
    return [(i, float(scores[i])) for i in order]


def dense_rankings(
    embedder: Embedder, data: BeirData, cache: EmbeddingCache | None, depth: int = DEPTH
) -> list[list[tuple[int, float]]]:
    """Exact cosine top-`depth` per query (numpy matrix product: fine at evaluation sizes)."""
    docs = embed_documents_cached(embedder, data.doc_texts, cache)
    queries = embed_queries_cached(embedder, data.query_texts, cache)
    rankings: list[list[tuple[int, float]]] = []
    for start in range(0, len(queries), 256):
        block = queries[start : start + 256] @ docs.T
        rankings.extend(_top(row, depth) for row in block)
    return rankings


def lexical_rankings(
    data: BeirData, depth: int = DEPTH, index: LexicalIndex | CharNgramIndex | None = None
) -> list[list[tuple[int, float]]]:
    """Keyword top-`depth` per query (BM25 over jieba words unless another index is given)."""
    index = index if index is not None else LexicalIndex()
    index.add(list(range(len(data.doc_texts))), data.doc_texts)
    return [index.search(text, k=depth) for text in data.query_texts]


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


def evaluate(
    folder: Path | str,
    retriever: str = "hybrid",
    embedder_factory: Callable[[], Embedder] | None = None,
    cache_dir: Path | None = None,
    params: FusionParams | None = None,
) -> dict[str, float | int | str]:
    """Index a BEIR folder in memory, run every judged query, and average the metrics."""
    if retriever not in RETRIEVERS:
        raise ValueError(f"未知检索方式 / unknown retriever {retriever!r}: {', '.join(RETRIEVERS)}")
    started = time.perf_counter()
    data = load_beir(folder)
    rankings: list[list[tuple[int, float]]]
    if retriever == "lexical":
        rankings = lexical_rankings(data)
    else:
        if embedder_factory is None:
            from matchmaker.retrieval.embed import get_embedder

            embedder = get_embedder()
        else:
            embedder = embedder_factory()
        cache = _open_cache(cache_dir or default_cache_dir() / "embeddings")
        dense = dense_rankings(embedder, data, cache)
        if retriever == "dense":
            rankings = dense
        else:
            fusion = params or FusionParams()
            lexical = lexical_rankings(data, fusion.depth)
            ngram = lexical_rankings(data, fusion.depth, CharNgramIndex())
            rankings = [
                fuse(d[: fusion.depth], lx, ng, params=fusion)[:DEPTH]
                for d, lx, ng in zip(dense, lexical, ngram, strict=True)
            ]
    totals = dict.fromkeys(METRIC_KEYS, 0.0)
    for query_id, ranked in zip(data.query_ids, rankings, strict=True):
        ranked_ids = [data.doc_ids[i] for i, _ in ranked]
        for key, value in metrics_for(ranked_ids, data.qrels[query_id]).items():
            totals[key] += value
    count = len(data.query_ids)
    result: dict[str, float | int | str] = {"retriever": retriever}
    result.update({key: round(totals[key] / count, 4) for key in METRIC_KEYS})
    result["queries"] = count
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result
