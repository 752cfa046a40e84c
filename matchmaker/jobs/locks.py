"""A lock per job piece that its holder's death releases: a PostgreSQL advisory lock on a
connection of its own, or (SQLite, one machine) an flock on a file under the data directory."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text


def _key(name: str) -> int:
    """A signed 64-bit number for a lock name (advisory locks are keyed by bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def piece_lock(engine: Engine, data_dir: Path, name: str) -> Iterator[bool]:
    """Try to hold the lock `name` without waiting; yields whether this process holds it."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            held = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _key(name)}).scalar()
            )
            conn.commit()
            try:
                yield held
            finally:
                if held:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(name)})
                    conn.commit()
        return
    import fcntl

    folder = Path(data_dir) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    safe = hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]
    with open(folder / f"{safe}.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
