"""The FAISS vector index: edits by database id, exact and IVF search, crash-safe save and load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from matchmaker.retrieval.embed import Embedder
from matchmaker.retrieval.index.vector import FLAT, IVF, MANIFEST, GenerationStore, VectorIndex

TEXTS = {
    11: "储能电站锂电池热失控预警",
    12: "甘蔗渣制备可降解环保餐具",
    13: "冲压件表面缺陷的机器视觉检测",
    14: "荔枝保鲜与冷链物流",
    15: "牡蛎壳制备酸性土壤调理剂",
}


@pytest.fixture(scope="module")
def vectors(embedder: Embedder) -> dict[int, np.ndarray]:
    """Real e5 document vectors of the short Chinese texts above."""
    matrix = embedder.encode_documents(list(TEXTS.values()))
    return dict(zip(TEXTS, matrix, strict=True))


def top_id(index: VectorIndex, embedder: Embedder, query: str) -> int:
    return index.search(embedder.encode_queries([query])[0], 1)[0][0]


def test_add_update_delete_search(embedder: Embedder, vectors: dict[int, np.ndarray]) -> None:
    index = VectorIndex(embedder.dim)
    index.upsert(list(vectors), np.stack(list(vectors.values())))
    assert len(index) == 5 and index.index_type == FLAT
    assert top_id(index, embedder, "电池起火爆炸怎么提前发现") == 11
    assert top_id(index, embedder, "糖厂蔗渣综合利用") == 12

    # item 12 is edited into a battery text: the same id now answers battery queries
    index.upsert([12], embedder.encode_documents(["动力电池包防爆泄压阀设计"]))
    assert len(index) == 5, "an update replaces, it does not add a second copy"
    assert top_id(index, embedder, "糖厂蔗渣综合利用") != 12
    assert top_id(index, embedder, "电池防爆泄压") == 12

    assert index.delete([11, 999]) == 1
    hits = index.search(embedder.encode_queries(["储能电池热失控"])[0], 10)
    assert 11 not in [i for i, _ in hits] and len(hits) == 4
    assert np.allclose(index.vector(13), vectors[13], atol=1e-6)


def test_save_then_load_gives_the_same_answers(
    tmp_path: Path, embedder: Embedder, vectors: dict[int, np.ndarray]
) -> None:
    index = VectorIndex(embedder.dim)
    index.upsert(list(vectors), np.stack(list(vectors.values())))
    index.save(tmp_path / "vec")
    loaded = VectorIndex.load(tmp_path / "vec")
    assert loaded is not None and len(loaded) == 5
    query = embedder.encode_queries(["机器视觉质检"])[0]
    assert loaded.search(query, 3) == index.search(query, 3)
    loaded.upsert([16], vectors[11][None, :])  # a loaded index still takes edits
    assert 16 in loaded and len(loaded) == 6


def test_partial_save_leaves_previous_index_loadable(
    tmp_path: Path, embedder: Embedder, vectors: dict[int, np.ndarray]
) -> None:
    root = tmp_path / "vec"
    index = VectorIndex(embedder.dim)
    index.upsert(list(vectors), np.stack(list(vectors.values())))
    index.save(root)
    # what a crash can leave behind: a half-written generation and a half-written manifest
    torn = root / "gen-crashed0001"
    torn.mkdir()
    (torn / "vectors.faiss").write_bytes(b"\x00" * 100)
    (root / f"{MANIFEST}.deadbeef.tmp").write_text('{"generation": "gen-crash', encoding="utf-8")
    loaded = VectorIndex.load(root)
    assert loaded is not None and sorted(loaded.ids().tolist()) == sorted(vectors)
    # the next save tidies the debris away
    loaded.save(root)
    assert not torn.exists() and not list(root.glob("*.tmp"))


def test_truncated_current_file_is_reported_not_loaded(
    tmp_path: Path, embedder: Embedder, vectors: dict[int, np.ndarray]
) -> None:
    root = tmp_path / "vec"
    index = VectorIndex(embedder.dim)
    index.upsert(list(vectors), np.stack(list(vectors.values())))
    index.save(root)
    current = GenerationStore(root).current()
    assert current is not None
    faiss_file = current[0] / "vectors.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:50])
    assert VectorIndex.load(root) is None, "a damaged file must not load as a smaller index"


WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from matchmaker.retrieval.index.vector import VectorIndex

    root, dim = sys.argv[1], 384
    rng = np.random.default_rng(0)
    base = rng.normal(size=(20000, dim)).astype("float32")
    index = VectorIndex(dim, ann_threshold=10**9)
    for round_number in range(1, 200):
        index.upsert(np.arange(round_number * 100), base[: round_number * 100])
        index.save(root)
        print(round_number, flush=True)
    """
)


def test_killed_writer_leaves_a_loadable_index(tmp_path: Path) -> None:
    root = tmp_path / "vec"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert writer.stdout is not None
    for _ in range(3):  # let it complete a few saves, then kill it in the middle of another
        assert writer.stdout.readline().strip()
    time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    loaded = VectorIndex.load(root)
    assert loaded is not None
    assert len(loaded) >= 300 and len(loaded) % 100 == 0, "a whole saved state, never a torn one"
    assert loaded.ids().tolist() == list(range(len(loaded)))


def clustered(vectors: dict[int, np.ndarray], n: int, seed: int = 0) -> np.ndarray:
    """n vectors scattered around real e5 embeddings of the texts above."""
    rng = np.random.default_rng(seed)
    centres = np.stack(list(vectors.values()))
    points = centres[rng.integers(0, len(centres), n)] + rng.normal(0, 0.03, (n, centres.shape[1]))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points.astype(np.float32)


def test_ivf_above_threshold_supports_edits_and_matches_exact(
    embedder: Embedder, vectors: dict[int, np.ndarray]
) -> None:
    points = clustered(vectors, 900)
    ids = np.arange(1000, 1900)
    index = VectorIndex(embedder.dim, ann_threshold=600)
    index.upsert(ids[:500], points[:500])
    assert index.index_type == FLAT
    index.upsert(ids[500:], points[500:])
    assert index.index_type == IVF and index.nlist > 1 and len(index) == 900

    exact = VectorIndex(embedder.dim, ann_threshold=10**9)
    exact.upsert(ids, points)
    queries = clustered(vectors, 50, seed=1)
    got, want = index.search_batch(queries, 10), exact.search_batch(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, want, strict=True)])
    assert recall >= 0.9

    # in IVF mode an edit replaces in place and a delete removes, without rebuilding
    index.upsert([1000], -points[0][None, :])
    assert index.search(-points[0], 1)[0][0] == 1000 and len(index) == 900
    index.delete([1001])
    assert 1001 not in [i for i, _ in index.search(points[1], 50)]
    # shrinking well below the threshold goes back to exact search
    index.delete(ids[:700])
    assert index.index_type == FLAT and len(index) == 200


def test_filtered_ivf_search_returns_k_when_k_are_allowed(
    embedder: Embedder, vectors: dict[int, np.ndarray]
) -> None:
    points = clustered(vectors, 2000)
    ids = np.arange(2000)
    index = VectorIndex(embedder.dim, ann_threshold=1000)
    index.upsert(ids, points)
    assert index.index_type == IVF
    query = points[0]
    # allow only items far from the query: the lists probed for it hold none of them
    far = np.argsort(points @ query)[:7]
    allowed = np.sort(ids[far])
    unfiltered_top = {i for i, _ in index.search(query, 10)}
    assert not unfiltered_top & set(allowed.tolist()), (
        "post-filtering the top 10 would give nothing"
    )
    hits = index.search(query, 5, allowed)
    assert len(hits) == 5 and {i for i, _ in hits} <= set(allowed.tolist())
    best = sorted(allowed.tolist(), key=lambda i: -float(points[i] @ query))[:5]
    assert [i for i, _ in hits] == best, "the fallback is exact over the allowed set"
    assert len(index.search(query, 50, allowed)) == 7
