"""Keep one process's words and filters in step with writes other processes made (pgvector).

With the vectors shared in PostgreSQL, what each API replica keeps for itself is the BM25 index,
the filter table and the content hashes. `ChangeFollower.poll` is cheap enough to run every
fraction of a second: one count/max(updated_at) query per kind; only when that changed, the ids
of the kind (deletions) and the rows changed since the last look (with a margin for clocks and
late commits) are applied, taking their vectors from the table and never embedding them. Items
whose vector the writing process has not stored yet are found by their words meanwhile and
picked up by the next poll.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.retrieval.index.integrity import change_marker
from matchmaker.retrieval.index.service import SearchIndex
from matchmaker.store.models import ITEM_MODELS

MARGIN = dt.timedelta(seconds=5)  # rows changed this long before the last seen change are re-read


@dataclass
class PollReport:
    """What one poll applied: items upserted, removed and vectors taken over."""

    upserted: int = 0
    removed: int = 0
    adopted: int = 0

    @property
    def changed(self) -> bool:
        """Whether the poll changed anything."""
        return bool(self.upserted or self.removed or self.adopted)


@dataclass
class ChangeFollower:
    """Follows the database for one `SearchIndex`; call `poll` from one thread."""

    index: SearchIndex
    marker: tuple[tuple[int, str | None], ...] | None = None
    since: dict[str, dt.datetime | None] = field(default_factory=dict)

    def poll(self, session: Session) -> PollReport:
        """Apply what changed in the database since the last poll."""
        report = PollReport()
        marker = change_marker(session)
        if marker != self.marker:
            for kind in ITEM_KINDS:
                self._follow_kind(session, kind, report)
            self.marker = marker
        if self.index.awaiting():
            report.adopted = self.index.adopt_awaiting()
        return report

    def _follow_kind(self, session: Session, kind: str, report: PollReport) -> None:
        model = ITEM_MODELS[kind]
        newest = session.scalar(select(func.max(model.updated_at)))
        present = set(session.scalars(select(model.id)))
        known = self.index.known_ids(kind)
        gone = known - present
        if gone:
            report.removed += self.index.delete_items(kind, sorted(gone))
        wanted = present - known
        last = self.since.get(kind)
        if last is None:
            wanted |= present
        else:
            wanted |= set(
                session.scalars(select(model.id).where(model.updated_at >= last - MARGIN))
            )
        if wanted:
            changes = self.index.upsert_items(session, kind, sorted(wanted), defer_missing=True)
            report.upserted += changes.added + changes.updated
        if newest is not None:
            self.since[kind] = newest
