"""Benchmark corpora shaped like real data: real e5 embeddings of real Chinese needs
(bdci-needs.jsonl, read from ../shared) moved by scaled differences of other real embeddings, with
BM25 texts made of real clauses, and synthetic filter metadata."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

INDUSTRIES = (
    "ai-hardware",
    "icv",
    "electronic-info",
    "metals-biomass",
    "agri-processing",
    "biomedicine",
    "new-energy",
    "advanced-equipment",
    "digital-economy",
    "marine",
    "green-env",
    "modern-logistics",
)
PROVINCES = ("广西", "广西", "广西", "北京", "上海", "广东", "江苏", "浙江", "湖南")
CLOSED_SHARE = 0.03  # closed/draft items, so the default `active` filter is exercised as in use


def default_texts_path() -> Path:
    """The shared real needs file, read in place (../shared/data from the project root)."""
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "bdci-needs.jsonl"


@dataclass
class RealTexts:
    """Real needs split into clauses, with their e5 vectors."""

    documents: list[str]
    clauses: list[list[str]]  # per document
    centres: np.ndarray  # document and clause vectors
    centre_doc: np.ndarray  # document index behind each centre
    centre_lead: list[str]  # the text each centre was embedded from
    queries: list[str]
    query_vectors: np.ndarray


def read_real_texts(path: Path) -> list[tuple[str, str]]:
    """(title, text) of each need in the shared file."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                rows.append((str(record.get("title") or ""), str(record.get("text") or "")))
    return rows


def split_clauses(text: str) -> list[str]:
    """Clauses of a Chinese text (cut at full stops, semicolons, commas and line breaks)."""
    parts = re.split(r"[。；;！？!?\n，,：:]+", text)
    return [p.strip() for p in parts if len(p.strip()) >= 6]


def synthetic_items(real: RealTexts, n: int, seed: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """n vectors around real embeddings, their texts of real clauses, and each one's centre."""
    rng = np.random.default_rng(seed + n)
    count, dim = real.centres.shape
    base = rng.integers(0, count, n)
    vectors = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 20_000):
        stop = min(n, start + 20_000)
        size = stop - start
        a, b = rng.integers(0, count, (2, size))
        alpha = rng.uniform(0.2, 0.7, (size, 1)).astype(np.float32)
        block = real.centres[base[start:stop]] + alpha * (real.centres[a] - real.centres[b])
        block += rng.normal(0, 0.02, (size, dim)).astype(np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        vectors[start:stop] = block
    everyone = [c for doc in real.clauses for c in doc]
    texts = []
    for centre in base:
        own = real.clauses[int(real.centre_doc[centre])]
        picked = [own[i] for i in rng.choice(len(own), min(len(own), 3), replace=False)]
        picked += [everyone[i] for i in rng.integers(0, len(everyone), 2)]
        texts.append(real.centre_lead[centre] + "。" + "，".join(picked) + "。")
    return vectors, texts, base


def synthetic_metas(n: int, seed: int) -> list[Any]:
    """Filter fields drawn like demo data: industries, TRL, province, park, a few closed."""
    from matchmaker.retrieval.index.filters import ItemMeta

    rng = np.random.default_rng(seed)
    statuses = np.where(rng.random(n) < CLOSED_SHARE, "closed", "active")
    industry = rng.integers(0, len(INDUSTRIES), (n, 2))
    trl = rng.integers(1, 10, n)
    province = rng.integers(0, len(PROVINCES), n)
    return [
        ItemMeta(
            id=i + 1,
            status=str(statuses[i]),
            industries=tuple({INDUSTRIES[industry[i, 0]], INDUSTRIES[industry[i, 1]]}),
            trl=int(trl[i]),
            coop_modes=("license",),
            park_id=int(province[i]) if province[i] < 3 else None,
            province=PROVINCES[province[i]],
        )
        for i in range(n)
    ]
