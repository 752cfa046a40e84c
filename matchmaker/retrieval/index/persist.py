"""The per-kind parts of the search index and how a whole index is saved and read back.

Durability: `save_index` writes every kind to a new generation folder and switches the manifest
atomically, recording each file's SHA-256 and, per kind, the count and digest of the (id, content
hash) pairs the index holds; `read_saved` reads the last complete save whose checksums match (a
file changed or damaged on disk, even at the same size, makes the sync that follows rebuild). A save made with another embedder
(fingerprint) or format is not read, and the reason is returned so the sync that follows
re-embeds everything and says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.retrieval.index.backend import VectorBackend
from matchmaker.retrieval.index.filters import ItemMeta, MetadataTable
from matchmaker.retrieval.index.integrity import index_state
from matchmaker.retrieval.index.lexical import LexicalIndex
from matchmaker.retrieval.index.vector import GenerationStore, VectorIndex

if TYPE_CHECKING:
    from matchmaker.retrieval.index.service import SearchIndex

FORMAT_VERSION = 1
STATE_FILE = "state.npz"


def now() -> str:
    """The current UTC time as the index's timestamps write it."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class KindIndex:
    """Vector, lexical and metadata indexes of one kind, and the hash behind each vector."""

    def __init__(self, dim: int, ann_threshold: int, vector: VectorBackend | None = None) -> None:
        self.vector: VectorBackend = (
            vector if vector is not None else VectorIndex(dim, ann_threshold=ann_threshold)
        )
        self.lexical = LexicalIndex()
        self.meta = MetadataTable()
        self.metas: dict[int, ItemMeta] = {}
        self.hashes: dict[int, str] = {}

    def remove(self, ids: Iterable[int]) -> int:
        """Drop items from all four parts at once; returns how many were known."""
        gone = [i for i in ids if i in self.metas or i in self.hashes]
        self.vector.delete(gone)
        self.lexical.delete(gone)
        self.meta.delete(gone)
        for item_id in gone:
            self.metas.pop(item_id, None)
            self.hashes.pop(item_id, None)
        return len(gone)

    def write(self, folder: Path) -> dict[str, Any]:
        """Write vectors, lexical counts and hashes into `folder`; returns the manifest entry."""
        folder.mkdir()
        self.vector.write(folder)
        self.lexical.save(folder / "lexical")
        ids = np.fromiter(self.hashes.keys(), dtype=np.int64, count=len(self.hashes))
        hashes = np.array(list(self.hashes.values()), dtype="S64")
        np.savez(folder / STATE_FILE, ids=ids, hashes=hashes)
        return self.vector.describe()

    @classmethod
    def read(
        cls,
        folder: Path,
        info: dict[str, Any],
        dim: int,
        ann_threshold: int,
        vector: VectorBackend | None = None,
    ) -> KindIndex:
        """One kind as `write` left it (metadata is not saved: the sync after a load reads it);
        a table-backed `vector` store (pgvector) is passed in and re-reads its ids itself."""
        found = cls(dim, ann_threshold, vector)
        if vector is None:
            found.vector = VectorIndex.read(folder, dict(info, ann_threshold=ann_threshold))
        elif not str(info.get("type", "")).startswith("pgvector"):
            raise ValueError("saved with FAISS, opened with pgvector")
        found.lexical = LexicalIndex.load(folder / "lexical")
        with np.load(folder / STATE_FILE, allow_pickle=False) as state:
            ids, hashes = state["ids"], state["hashes"]
            found.hashes = {int(i): h.decode("ascii") for i, h in zip(ids, hashes, strict=True)}
        return found


def save_index(index: SearchIndex) -> Path:
    """Write the whole index atomically into its directory (the previous save stays until switched)."""
    if index.directory is None:
        raise ValueError("没有设置索引目录 / this index has no directory to save to")
    store = GenerationStore(index.directory)
    with index.lock, store.writing() as generation:
        kinds = {kind: part.write(generation / kind) for kind, part in index.parts.items()}
        index.saved_at = now()
        store.commit(
            generation,
            {
                "format": FORMAT_VERSION,
                "embedder": index.embedder.name,
                "fingerprint": index.embedder.fingerprint,
                "dim": index.embedder.dim,
                "updated_at": index.updated_at or index.saved_at,
                "saved_at": index.saved_at,
                "kinds": kinds,
                # what the database held as far as this index knows: `index status` compares it
                "state": index_state({kind: part.hashes for kind, part in index.parts.items()}),
            },
        )
    return index.directory


def read_saved(index: SearchIndex) -> str | None:
    """Load the last complete save into `index`; returns why a full rebuild is needed, or None."""
    if index.directory is None:
        return None
    store = GenerationStore(index.directory)
    embedder = index.embedder
    with index.lock, store.reading() as current:
        if current is None:
            if store.manifest() is not None:
                return "索引文件不完整，全部重建 / index files incomplete: rebuilding everything"
            return None
        generation, manifest = current
        if manifest.get("fingerprint") != embedder.fingerprint:
            return (
                f"嵌入模型已更换（{manifest.get('embedder')} → {embedder.name}），全部重建 / "
                f"embedder changed from {manifest.get('embedder')} "
                f"({manifest.get('fingerprint')}) to {embedder.name} "
                f"({embedder.fingerprint}): rebuilding everything"
            )
        if manifest.get("format") != FORMAT_VERSION:
            return "索引格式已更新，全部重建 / index format changed: rebuilding everything"
        corrupt = store.mismatched(generation, manifest)
        if corrupt:
            shown = ", ".join(corrupt[:3])
            return (
                f"索引文件校验和不符（{shown}），全部重建 / index file checksum mismatch "
                f"({shown}): the files were changed or damaged on disk, rebuilding everything"
            )
        try:
            loaded: dict[str, KindIndex] = {
                kind: KindIndex.read(
                    generation / kind,
                    manifest["kinds"][kind],
                    embedder.dim,
                    index.ann_threshold,
                    index.new_vector_store(kind) if index.vector_factory else None,
                )
                for kind in ITEM_KINDS
            }
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            return f"索引文件无法读取，全部重建 / index files unreadable ({exc}): rebuilding"
        index.parts = loaded
        index.updated_at = manifest.get("updated_at")
        index.saved_at = manifest.get("saved_at")
    return None
