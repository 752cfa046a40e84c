"""A saved index damaged on disk — even at the same size — is detected by its checksums and
rebuilt, so searches never silently return the wrong items."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from matchmaker.retrieval.embed import Embedder, EmbeddingCache
from matchmaker.retrieval.index.service import open_index_with_report
from matchmaker.retrieval.index.vector import VECTOR_FILE, GenerationStore
from matchmaker.store.db import session_factory
from matchmaker.store.models import ITEM_MODELS, Need
from tests.retrieval.index.conftest import World


def swap_stored_ids(directory: Path, kind: str) -> Path:
    """Reverse the id table at the end of one kind's FAISS file: same size, a valid file, but
    every vector now answers for another item (what a bit-rotted or half-copied file can do)."""
    generation, _ = GenerationStore(directory).current() or (None, None)
    assert generation is not None
    path = generation / kind / VECTOR_FILE
    raw = bytearray(path.read_bytes())
    size = len(raw)
    tail = np.frombuffer(bytes(raw[-8 * 64 :]), dtype=np.int64)
    # the file ends with the id table: find how many trailing int64 values are small item ids
    count = next(n for n in range(1, len(tail) + 1) if not 0 < tail[-n] < 1_000_000) - 1
    assert count >= 2, "the FAISS file does not end with its id table"
    ids = np.frombuffer(bytes(raw[-8 * count :]), dtype=np.int64)
    raw[-8 * count :] = ids[::-1].tobytes()
    path.write_bytes(bytes(raw))
    assert path.stat().st_size == size
    return path


def _titles(session: Session, kind: str) -> dict[int, str]:
    model = ITEM_MODELS[kind]
    return {i: t for i, t in session.execute(select(model.id, model.title)).all()}


def test_same_size_corruption_is_detected_and_rebuilt(
    db_session: Session, embedder: Embedder, cache: EmbeddingCache, tmp_path: Path
) -> None:
    directory = tmp_path / "index"
    index, _ = open_index_with_report(db_session, embedder, directory, cache=cache)
    kind = "achievement"
    titles = _titles(db_session, kind)
    before = {i: index.search(t, kind, k=1, mode="dense")[0].id for i, t in titles.items()}
    vectors = {i: index.vector_of(kind, i) for i in titles}
    swap_stored_ids(directory, kind)

    reopened, report = open_index_with_report(db_session, embedder, directory, cache=cache)

    assert report.rebuilt_reason and "checksum" in report.rebuilt_reason
    assert "vectors.faiss" in report.rebuilt_reason
    for item_id, vector in vectors.items():
        np.testing.assert_allclose(reopened.vector_of(kind, item_id), vector, atol=1e-6)
    after = {i: reopened.search(t, kind, k=1, mode="dense")[0].id for i, t in titles.items()}
    assert after == before
    # the repaired index was saved with fresh checksums: the next open rebuilds nothing
    _, again = open_index_with_report(db_session, embedder, directory, cache=cache)
    assert again.rebuilt_reason is None and not again.changed


def test_manifest_records_checksums_and_the_database_state(
    db_session: Session, embedder: Embedder, cache: EmbeddingCache, tmp_path: Path
) -> None:
    from matchmaker.retrieval.index.integrity import compare_states, database_state

    directory = tmp_path / "index"
    open_index_with_report(db_session, embedder, directory, cache=cache)
    generation, manifest = GenerationStore(directory).current() or (None, {})
    assert generation is not None
    assert set(manifest["checksums"]) == set(manifest["files"])
    checks = compare_states(manifest["state"], database_state(db_session))
    assert all(c.agree for c in checks), checks
    assert {c.kind: c.db_count for c in checks} == {
        k: manifest["state"][k]["count"] for k in manifest["state"]
    }


def test_database_state_agrees_on_each_database(
    any_db: tuple[Engine, World], embedder: Embedder, cache: EmbeddingCache, tmp_path: Path
) -> None:
    from matchmaker.retrieval.index.integrity import (
        change_marker,
        compare_states,
        database_state,
    )

    engine, world = any_db
    with session_factory(engine)() as session:
        open_index_with_report(session, embedder, tmp_path / "index", cache=cache)
        _, manifest = GenerationStore(tmp_path / "index").current() or (None, {})
        before = change_marker(session)
        assert all(c.agree for c in compare_states(manifest["state"], database_state(session)))
        need = session.get(Need, world.ids["N1"])
        assert need is not None
        need.description = "改过的需求描述"
        need.refresh_hash()
        session.commit()
        assert change_marker(session) != before
        checks = compare_states(manifest["state"], database_state(session))
        assert {c.kind for c in checks if not c.agree} == {"need"}
