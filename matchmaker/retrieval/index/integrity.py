"""Does the saved index agree with the database? Counts and digests per kind, item by item.

Each save records, per kind, how many items the index holds and a digest of its (id, content
hash) pairs (`index_state`); the same digest computed from the database (`database_state`) says
whether the two agree without loading the index (`matchmaker index status`). `verify_saved`
does the full check (`matchmaker index verify`): every file's checksum, every kind loaded, its
vector, lexical and hash tables holding the same ids, and each item's hash against the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.retrieval.index.records import read_rows, read_texts, text_hash
from matchmaker.store.models import ITEM_MODELS

SHOWN_IDS = 10  # ids listed per kind and problem


def state_digest(pairs: Iterable[tuple[int, str]]) -> str:
    """SHA-256 over the sorted `id:content-hash` lines (the same for index and database)."""
    digest = hashlib.sha256()
    for item_id, content_hash in sorted(pairs):
        digest.update(f"{item_id}:{content_hash}\n".encode())
    return digest.hexdigest()


def index_state(hashes: Mapping[str, Mapping[int, str]]) -> dict[str, dict[str, Any]]:
    """Per kind: item count and digest of what the index holds (saved in the manifest)."""
    return {
        kind: {"count": len(by_id), "digest": state_digest(by_id.items())}
        for kind, by_id in hashes.items()
    }


def database_hashes(session: Session, kind: str) -> dict[int, str]:
    """Every item of `kind` in the database with the content hash the index would hold."""
    rows = read_rows(session, kind)
    found = {r.meta.id: r.content_hash for r in rows}
    unhashed = [i for i, h in found.items() if not h]
    if unhashed:
        for item_id, text in read_texts(session, kind, unhashed).items():
            found[item_id] = text_hash(text)
    return found


def database_state(session: Session) -> dict[str, dict[str, Any]]:
    """Per kind: item count, digest and newest change time in the database."""
    state: dict[str, dict[str, Any]] = {}
    for kind in ITEM_KINDS:
        hashes = database_hashes(session, kind)
        model = ITEM_MODELS[kind]
        last = session.scalar(select(func.max(model.updated_at)))
        state[kind] = {
            "count": len(hashes),
            "digest": state_digest(hashes.items()),
            "last_change": last.isoformat(timespec="seconds") if last is not None else None,
        }
    return state


def change_marker(session: Session) -> tuple[tuple[int, str | None], ...]:
    """Per kind: row count and newest change time, a cheap sign the database changed."""
    marker = []
    for kind in ITEM_KINDS:
        model = ITEM_MODELS[kind]
        count, last = session.execute(select(func.count(), func.max(model.updated_at))).one()
        marker.append((int(count), None if last is None else str(last)))
    return tuple(marker)


@dataclass
class KindCheck:
    """How one kind of the saved index compares with the database."""

    kind: str
    index_count: int | None
    db_count: int
    agree: bool
    missing: list[int] = field(default_factory=list)  # in the database, not in the index
    extra: list[int] = field(default_factory=list)  # in the index, gone from the database
    stale: list[int] = field(default_factory=list)  # text changed since it was embedded
    broken: str = ""  # the kind's parts disagree with each other or cannot be read


def compare_states(
    saved: Mapping[str, Mapping[str, Any]] | None, db: Mapping[str, Mapping[str, Any]]
) -> list[KindCheck]:
    """Kind by kind, whether the saved state (counts and digests) matches the database's."""
    checks = []
    for kind in ITEM_KINDS:
        mine = (saved or {}).get(kind)
        theirs = db[kind]
        checks.append(
            KindCheck(
                kind,
                None if mine is None else int(mine["count"]),
                int(theirs["count"]),
                mine is not None and mine.get("digest") == theirs["digest"],
            )
        )
    return checks


@dataclass
class VerifyReport:
    """The full check of a saved index against its checksums and the database."""

    generation: str
    bad_files: list[str]
    kinds: list[KindCheck]
    has_checksums: bool

    @property
    def ok(self) -> bool:
        """Whether everything agrees."""
        return not self.bad_files and self.has_checksums and all(k.agree for k in self.kinds)


def verify_saved(session: Session, directory: Path, dim: int) -> VerifyReport | None:
    """Check every file's checksum, load every kind and compare each item with the database
    (None when there is no complete saved index)."""
    from matchmaker.retrieval.index.persist import KindIndex
    from matchmaker.retrieval.index.vector import DEFAULT_ANN_THRESHOLD, GenerationStore

    store = GenerationStore(directory)
    with store.reading() as current:
        if current is None:
            return None
        generation, manifest = current
        bad_files = store.mismatched(generation, manifest)
        checks: list[KindCheck] = []
        for kind in ITEM_KINDS:
            db = database_hashes(session, kind)
            try:
                part = KindIndex.read(
                    generation / kind, manifest["kinds"][kind], dim, DEFAULT_ANN_THRESHOLD
                )
            except (OSError, ValueError, KeyError, RuntimeError) as exc:
                checks.append(KindCheck(kind, None, len(db), False, broken=str(exc)[:200]))
                continue
            checks.append(_compare_items(kind, part, db))
    return VerifyReport(generation.name, bad_files, checks, bool(manifest.get("checksums")))


def _compare_items(kind: str, part: Any, db: Mapping[int, str]) -> KindCheck:
    held = part.hashes
    vector_ids = {int(i) for i in part.vector.ids().tolist()}
    broken = ""
    if vector_ids != set(held) or len(part.lexical) != len(held):
        broken = (
            f"向量 {len(vector_ids)}、词频 {len(part.lexical)}、哈希 {len(held)} 条目数不一致 / "
            f"vector {len(vector_ids)}, lexical {len(part.lexical)} and hash {len(held)} "
            "tables disagree"
        )
    missing = sorted(set(db) - set(held))
    extra = sorted(set(held) - set(db))
    stale = sorted(i for i in set(db) & set(held) if db[i] != held[i])
    return KindCheck(
        kind,
        len(held),
        len(db),
        not (missing or extra or stale or broken),
        missing[:SHOWN_IDS],
        extra[:SHOWN_IDS],
        stale[:SHOWN_IDS],
        broken,
    )
