"""BEIR-format retrieval sets (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) read into memory."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


class BeirFormatError(ValueError):
    """The folder is not a readable BEIR dataset (missing file, bad line)."""


@dataclass(frozen=True)
class BeirData:
    """A BEIR dataset in memory: documents, the queries that have judgements, and the judgements."""

    doc_ids: list[str]
    doc_texts: list[str]  # title and body as one text (`document_text`)
    query_ids: list[str]
    query_texts: list[str]
    qrels: dict[str, dict[str, int]]  # query id -> {doc id: grade > 0}
    doc_titles: list[str] = field(default_factory=list)
    doc_bodies: list[str] = field(default_factory=list)


def title_and_body(record: dict[str, object]) -> tuple[str, str]:
    """A document's title and body, stripped."""
    return str(record.get("title") or "").strip(), str(record.get("text") or "").strip()


def document_text(record: dict[str, object]) -> str:
    """Title and body as one text (an item with this title and body embeds the same text)."""
    return " ".join(p for p in title_and_body(record) if p)


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
    parts = [title_and_body(r) for r in corpus]
    return BeirData(
        doc_ids,
        doc_texts,
        query_ids,
        query_texts,
        qrels,
        doc_titles=[title for title, _ in parts],
        doc_bodies=[body for _, body in parts],
    )
