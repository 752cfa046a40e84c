"""FAISS vector index of one item kind, keyed by database ids, plus crash-safe saving.

Exact inner-product search (`IndexIDMap2(IndexFlatIP)`) while the kind is small; above
`ann_threshold` items an inverted-file index (`IndexIVFFlat` with a hash-table direct map), which,
unlike HNSW, removes and replaces ids in place, so edits never need a rebuild or tombstones. The
IVF is retrained when the collection has grown `RETRAIN_GROWTH` times past its training size and
turns back into a flat index below half the threshold. Vectors are L2-normalised, so scores are
cosine similarities.

Filters admitting at least half of the items are applied to an over-fetched unrestricted search
(the same top k, without FAISS's slower per-id selector scan). Narrower ones pass a FAISS
IDSelector: the IVF widens `nprobe` by 1/(allowed share) so about as many allowed candidates are
scanned as unfiltered, and falls back to an exact scan of the allowed set whenever fewer than k
hits come back although k allowed items exist.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import math
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import faiss as _faiss
import numpy as np

from matchmaker.retrieval.index.filters import is_member, make_selector

FLAT = "flat"
IVF = "ivf"
# Chosen from `matchmaker bench index` on 2 cores (docs/index.md): below this many items an exact
# scan answers within ~1.5 ms and needs no training; above it IVF keeps p99 flat as the kind grows.
DEFAULT_ANN_THRESHOLD = 20_000
RETRAIN_GROWTH = 4.0  # retrain the IVF when the kind is this many times its training size
TRAIN_POINTS_PER_LIST = 40  # k-means sample size per list (FAISS warns below 39)
OVERFETCH_SHARE = 0.5  # filters admitting at least this share are applied after the search
VECTOR_FILE = "vectors.faiss"

faiss: Any = _faiss  # FAISS's bundled stubs lack SearchParameters keywords, DirectMap…


def ivf_list_count(n: int) -> int:
    """Inverted lists for n vectors: ~2·sqrt(n), the usual balance of probe cost and list length."""
    return int(min(4096, max(16, round(2 * math.sqrt(n)))))


def default_nprobe(nlist: int) -> int:
    """Lists probed per query; measured to give recall@10 ≥ 0.95 against exact search."""
    return int(min(nlist, max(8, round(nlist / 12))))


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run FAISS on one OpenMP thread in this thread (the setting is per calling thread).

    One query is too little work to share: on 2 busy cores, OpenMP's spinning made an exact
    10k search take 44 ms on 2 threads against 0.7 ms on one (docs/index.md).
    """
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def _as_ids(ids: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


class VectorIndex:
    """Dense vectors of one kind: add, replace, delete by database id; exact or IVF search."""

    lock_free_search = False  # FAISS indexes change in place: search under the index lock

    def __init__(
        self, dim: int, *, ann_threshold: int = DEFAULT_ANN_THRESHOLD, nprobe: int | None = None
    ) -> None:
        self.dim = dim
        self.ann_threshold = ann_threshold
        self.nprobe_override = nprobe
        self._index: faiss.Index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._ids: set[int] = set()
        self._trained_size = 0

    # ---- facts -------------------------------------------------------------------------------
    @property
    def index_type(self) -> str:
        """'flat' (exact) or 'ivf' (approximate)."""
        return IVF if isinstance(self._index, faiss.IndexIVF) else FLAT

    @property
    def nlist(self) -> int:
        """Inverted lists of the IVF (0 for flat)."""
        return int(self._index.nlist) if isinstance(self._index, faiss.IndexIVF) else 0

    @property
    def nprobe(self) -> int:
        """Lists probed by an unfiltered query (0 for flat)."""
        if not self.nlist:
            return 0
        return min(self.nlist, self.nprobe_override or default_nprobe(self.nlist))

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._ids

    def ids(self) -> np.ndarray:
        """All ids, sorted."""
        return np.array(sorted(self._ids), dtype=np.int64)

    def describe(self) -> dict[str, Any]:
        """Type and parameters, for status output and the manifest."""
        return {
            "type": self.index_type,
            "count": len(self),
            "dim": self.dim,
            "nlist": self.nlist,
            "nprobe": self.nprobe,
            "trained_size": self._trained_size,
            "ann_threshold": self.ann_threshold,
        }

    # ---- writes ------------------------------------------------------------------------------
    def upsert(
        self,
        ids: Sequence[int] | np.ndarray,
        vectors: np.ndarray,
        hashes: Sequence[str] | None = None,
    ) -> None:
        """Add new ids and replace the vectors of known ones (no rebuild); `hashes` (what each
        vector was made from) are kept by `KindIndex`, not here."""
        id_array = _as_ids(ids)
        matrix = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        if len(id_array) != len(matrix):
            raise ValueError(f"ids ({len(id_array)}) and vectors ({len(matrix)}) differ in length")
        if len(set(id_array.tolist())) != len(id_array):
            raise ValueError("重复的 id / duplicate ids in one upsert")
        if not len(id_array):
            return
        known = [int(i) for i in id_array if int(i) in self._ids]
        if known:
            self._index.remove_ids(_as_ids(known))
        self._index.add_with_ids(matrix, id_array)
        self._ids.update(int(i) for i in id_array)
        self._reshape_if_needed()

    def adopt(self, wanted: Sequence[tuple[int, str]]) -> set[int]:
        """Ids whose vector some other process already stored: none, FAISS lives in this one."""
        return set()

    def delete(self, ids: Sequence[int] | np.ndarray) -> int:
        """Remove ids (unknown ones are ignored); returns how many were removed."""
        known = [int(i) for i in _as_ids(ids) if int(i) in self._ids]
        if known:
            self._index.remove_ids(_as_ids(known))
            self._ids.difference_update(known)
            self._reshape_if_needed()
        return len(known)

    def clear(self) -> None:
        """Drop every vector (used when the embedder changes)."""
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        self._ids.clear()
        self._trained_size = 0

    def _reshape_if_needed(self) -> None:
        n = len(self._ids)
        if self.index_type == FLAT and n >= self.ann_threshold:
            self.rebuild(IVF)
        elif self.index_type == IVF and (
            n < self.ann_threshold // 2 or n > self._trained_size * RETRAIN_GROWTH
        ):
            self.rebuild()

    def rebuild(self, index_type: str | None = None) -> None:
        """Rebuild from the stored vectors (flat or freshly trained IVF, by size unless given)."""
        ids, vectors = self.items()
        kind = index_type or (IVF if len(ids) >= self.ann_threshold else FLAT)
        if kind == IVF and len(ids) >= 2:
            nlist = max(1, min(ivf_list_count(len(ids)), len(ids) // TRAIN_POINTS_PER_LIST))
            quantizer = faiss.IndexFlatIP(self.dim)
            index = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
            index.cp.niter = 10
            sample_size = min(len(ids), nlist * TRAIN_POINTS_PER_LIST)
            rng = np.random.default_rng(0)
            sample = vectors[rng.choice(len(ids), sample_size, replace=False)]
            index.train(sample)
            index.set_direct_map_type(faiss.DirectMap.Hashtable)
            self._trained_size = len(ids)
            new_index: faiss.Index = index
        else:
            new_index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
            self._trained_size = 0
        if len(ids):
            new_index.add_with_ids(vectors, ids)
        self._index = new_index

    # ---- reads -------------------------------------------------------------------------------
    def vector(self, item_id: int) -> np.ndarray:
        """The stored vector of one id (KeyError when absent)."""
        if item_id not in self._ids:
            raise KeyError(item_id)
        return np.asarray(self._index.reconstruct(int(item_id)), dtype=np.float32)

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """All (ids, vectors), ids sorted."""
        ids = self.ids()
        if not len(ids):
            return ids, np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self._index.reconstruct_batch(ids), dtype=np.float32)
        return ids, vectors.reshape(len(ids), self.dim)

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (id, cosine) for one query vector, restricted to `allowed` ids when given."""
        vector = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dim)
        total = len(self._ids) if allowed is None else len(allowed)
        if k <= 0 or total == 0 or not self._ids:
            return []
        want = min(k, total)
        fraction = total / len(self._ids)
        if allowed is not None and fraction >= OVERFETCH_SHARE:
            # most items are allowed: an unrestricted search for a few more, filtered, is the
            # same top k and skips FAISS's slower per-id selector scan (8 ms → 1.5 ms at 100k)
            fetch = min(len(self._ids), math.ceil(k / fraction) + 10)
            found = self._run(vector, fetch, self._params(None, self.nprobe))
            labels = np.fromiter((i for i, _ in found), dtype=np.int64, count=len(found))
            kept = [hit for hit, ok in zip(found, is_member(labels, allowed), strict=True) if ok]
            if len(kept) >= want:
                return kept[:k]
        selector = make_selector(allowed) if allowed is not None else None
        sel = selector.selector if selector is not None else None
        if self.index_type == FLAT:
            return self._run(vector, k, self._params(sel, 0))
        nprobe = min(self.nlist, math.ceil(self.nprobe / fraction))
        hits = self._run(vector, k, self._params(sel, nprobe))
        if len(hits) < want and nprobe < self.nlist:
            # the probed lists held too few allowed items: scan all lists (exact over `allowed`)
            hits = self._run(vector, k, self._params(sel, self.nlist))
        return hits

    def _params(self, sel: Any, nprobe: int) -> Any:
        if self.index_type == IVF:
            return faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)
        return faiss.SearchParameters(sel=sel) if sel is not None else None

    def search_batch(self, queries: np.ndarray, k: int, *, exact: bool = False) -> np.ndarray:
        """Ids (n, k) of the top-k for many queries; `exact` scans every list (recall baseline)."""
        matrix = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dim)
        params = None
        if self.index_type == IVF:
            nprobe = self.nlist if exact else self.nprobe
            params = faiss.SearchParametersIVF(nprobe=nprobe)
        _, labels = self._index.search(matrix, k, params=params)
        return np.asarray(labels)

    def _run(self, vector: np.ndarray, k: int, params: Any) -> list[tuple[int, float]]:
        with one_thread():
            scores, labels = self._index.search(vector, k, params=params)
        return [
            (int(label), float(score))
            for label, score in zip(labels[0], scores[0], strict=True)
            if label >= 0
        ]

    # ---- persistence -------------------------------------------------------------------------
    def write(self, directory: Path) -> None:
        """Write the FAISS file into `directory` (callers make it durable and atomic)."""
        faiss.write_index(self._index, str(directory / VECTOR_FILE))

    @classmethod
    def read(cls, directory: Path, info: dict[str, Any]) -> VectorIndex:
        """Read what `write` wrote; `info` is the dict `describe` returned at save time."""
        index = faiss.read_index(str(directory / VECTOR_FILE))
        loaded = cls(
            int(info["dim"]),
            ann_threshold=int(info.get("ann_threshold", DEFAULT_ANN_THRESHOLD)),
        )
        if index.d != loaded.dim:
            raise ValueError(f"index dimension {index.d} != manifest dimension {loaded.dim}")
        loaded._index = index
        loaded._trained_size = int(info.get("trained_size", 0))
        loaded._ids = set(_stored_ids(index).tolist())
        if len(loaded._ids) != index.ntotal:
            raise ValueError("index holds duplicate ids")
        return loaded

    def save(self, root: Path) -> Path:
        """Save on its own into `root` atomically (see `GenerationStore`)."""
        store = GenerationStore(root)
        with store.writing() as generation:
            self.write(generation)
            store.commit(generation, {"vector": self.describe()})
        return root

    @classmethod
    def load(cls, root: Path) -> VectorIndex | None:
        """Load what `save` saved last, or None when nothing complete is there."""
        store = GenerationStore(root)
        with store.reading() as current:
            if current is None:
                return None
            generation, manifest = current
            return cls.read(generation, manifest["vector"])


def _stored_ids(index: faiss.Index) -> np.ndarray:
    if isinstance(index, faiss.IndexIVF):
        lists = index.invlists
        parts = []
        for number in range(index.nlist):
            size = lists.list_size(number)
            if size:
                pointer = lists.get_ids(number)
                parts.append(faiss.rev_swig_ptr(pointer, size).copy())
                lists.release_ids(number, pointer)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return np.asarray(faiss.vector_to_array(index.id_map), dtype=np.int64)


# ---- crash-safe folder of generations ----------------------------------------------------------
MANIFEST = "manifest.json"
LOCK_FILE = ".lock"
GENERATION_PREFIX = "gen-"


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class GenerationStore:
    """A folder whose current content is the generation `manifest.json` names.

    Saving writes every file into a new `gen-*` folder, fsyncs them, then writes the manifest to a
    temporary file, fsyncs it and `os.replace`s it over the old one: a crash at any point leaves
    the previous manifest and the generation it names intact. Older generations are removed only
    after the switch. An exclusive lock serialises writers; readers take a shared lock.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @contextlib.contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK_FILE, "a+b") as handle:
            fcntl.flock(handle.fileno(), mode)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Path]:
        """A fresh generation folder to write into, under the writer lock; removed if not committed."""
        with self._locked(fcntl.LOCK_EX):
            generation = self.root / f"{GENERATION_PREFIX}{uuid.uuid4().hex[:12]}"
            generation.mkdir()
            try:
                yield generation
            finally:
                if not self._is_current(generation):
                    shutil.rmtree(generation, ignore_errors=True)

    @contextlib.contextmanager
    def reading(self) -> Iterator[tuple[Path, dict[str, Any]] | None]:
        """The current generation folder and manifest (None if absent or incomplete), read-locked."""
        with self._locked(fcntl.LOCK_SH):
            yield self.current()

    def manifest(self) -> dict[str, Any] | None:
        """The committed manifest, or None when there is none or it cannot be read."""
        try:
            data = json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def current(self) -> tuple[Path, dict[str, Any]] | None:
        """The committed generation if every file it lists is there at the recorded size."""
        manifest = self.manifest()
        if manifest is None or not isinstance(manifest.get("generation"), str):
            return None
        generation = self.root / manifest["generation"]
        for name, size in manifest.get("files", {}).items():
            path = generation / name
            if not path.is_file() or path.stat().st_size != size:
                return None
        return generation, manifest

    @staticmethod
    def mismatched(generation: Path, manifest: dict[str, Any]) -> list[str]:
        """Files of a generation whose SHA-256 differs from the one its manifest recorded (a
        manifest from before checksums were recorded has none to compare: nothing is listed)."""
        bad: list[str] = []
        for name, expected in (manifest.get("checksums") or {}).items():
            path = generation / name
            try:
                if file_sha256(path) != expected:
                    bad.append(name)
            except OSError:
                bad.append(name)
        return bad

    def _is_current(self, generation: Path) -> bool:
        manifest = self.manifest()
        return manifest is not None and manifest.get("generation") == generation.name

    def commit(self, generation: Path, manifest: dict[str, Any]) -> None:
        """Make `generation` current: fsync its files, atomically replace the manifest, tidy up."""
        files: dict[str, int] = {}
        checksums: dict[str, str] = {}
        for path in sorted(generation.rglob("*")):
            if path.is_file():
                _fsync_path(path)
                name = str(path.relative_to(generation))
                files[name] = path.stat().st_size
                checksums[name] = file_sha256(path)
        for folder in sorted({p.parent for p in generation.rglob("*")} | {generation}):
            _fsync_path(folder)
        body = dict(manifest, generation=generation.name, files=files, checksums=checksums)
        temporary = self.root / f"{MANIFEST}.{uuid.uuid4().hex[:8]}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(body, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.root / MANIFEST)
        _fsync_path(self.root)
        for stale in self.root.iterdir():
            if stale == generation:
                continue
            if stale.name.startswith(GENERATION_PREFIX) and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            elif stale.name.startswith(MANIFEST + ".") and stale.name.endswith(".tmp"):
                stale.unlink(missing_ok=True)
