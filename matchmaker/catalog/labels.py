"""Industry labels an import kept but could not map: list them, and map one to an industry
(every record that carried it gains the industry; the flags are closed)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.catalog.kinds import RECORD_MODELS
from matchmaker.core.taxonomy import resolve_industry, unknown_industry_message
from matchmaker.store.labels import LabelFlag
from matchmaker.store.models import utcnow


@dataclass
class OpenLabel:
    """One unknown label, the records that carry it and the industries it may mean."""

    label: str
    records: list[tuple[str, int]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)


def open_labels(session: Session) -> list[OpenLabel]:
    """Every label still to map, most used first."""
    grouped: dict[str, OpenLabel] = defaultdict(lambda: OpenLabel(""))
    for flag in session.scalars(
        select(LabelFlag).where(LabelFlag.resolved_at.is_(None)).order_by(LabelFlag.id)
    ):
        entry = grouped[flag.label]
        entry.label = flag.label
        entry.records.append((flag.record_kind, flag.record_id))
        entry.suggestions = list(flag.suggestions or [])
    return sorted(grouped.values(), key=lambda e: (-len(e.records), e.label))


def map_label(session: Session, label: str, industry: str) -> int:
    """Give every record flagged with `label` the industry (code or any name people write for
    it) and close those flags; returns how many records changed. ValueError for an unknown
    industry, LookupError when nothing carries the label."""
    code = resolve_industry(industry)
    if code is None:
        raise ValueError(unknown_industry_message(industry))
    flags = list(
        session.scalars(
            select(LabelFlag).where(LabelFlag.label == label, LabelFlag.resolved_at.is_(None))
        )
    )
    if not flags:
        raise LookupError(f"没有待映射的标签“{label}” / no open label {label!r}")
    changed = 0
    for flag in flags:
        record = session.get(RECORD_MODELS[flag.record_kind], flag.record_id)
        if record is not None and code not in (record.industries or []):
            record.industries = [*(record.industries or []), code]
            if hasattr(record, "refresh_hash"):
                record.refresh_hash()
            changed += 1
        flag.resolved_at = utcnow()
        flag.resolved_to = code
    session.flush()
    return changed
