"""The demo data set: loads cleanly on both databases, re-loads without duplicates, covers what it promises."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.core.taxonomy import LEADING_INDUSTRIES
from matchmaker.demo.loader import labelled_pairs, load_demo
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario


def counts(session: Session) -> dict[str, int]:
    return {
        m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
        for m in (Park, Organisation, Achievement, Need, Scenario)
    }


def test_demo_loads_and_reloads_without_duplicates(session: Session) -> None:
    reports = load_demo(session)
    session.commit()
    first = counts(session)
    assert first["achievements"] >= 300 and first["needs"] >= 200 and first["scenarios"] >= 50
    assert first["parks"] >= 4
    again = load_demo(session)
    session.commit()
    assert counts(session) == first
    assert all(r.created == 0 and r.updated == 0 for r in again.values())
    assert reports["achievements"].created == first["achievements"]


def test_demo_covers_leading_industries_tracks_and_regions(session: Session) -> None:
    load_demo(session)
    session.commit()
    industries: Counter[str] = Counter()
    for kind in (Achievement, Need, Scenario):
        for row in session.scalars(select(kind.industries)).all():
            industries.update(row)
    for code in LEADING_INDUSTRIES:
        assert industries[code] >= 10, f"leading industry {code} is thin in the demo"
    owners = session.scalars(
        select(Organisation).join(Achievement, Achievement.owner_id == Organisation.id)
    ).all()
    assert any(o.is_eastern for o in owners) and any(o.province == "广西" for o in owners)
    pairs = labelled_pairs()
    assert len(pairs) >= 150
    assert {p.track for p in pairs} == {"tech-transfer", "scenario", "east-to-guangxi"}
    assert {p.label for p in pairs} == {"good", "bad"}


def test_labelled_pairs_point_at_real_items(session: Session) -> None:
    load_demo(session)
    session.commit()
    tables = {
        "achievement": Achievement,
        "need": Need,
        "scenario": Scenario,
        "park": Park,
        "organisation": Organisation,
    }
    known = {
        kind: set(session.scalars(select(model.external_id)).all())
        for kind, model in tables.items()
    }
    missing = [
        (p.source_kind, p.source) for p in labelled_pairs() if p.source not in known[p.source_kind]
    ]
    missing += [
        (p.target_kind, p.target) for p in labelled_pairs() if p.target not in known[p.target_kind]
    ]
    assert missing == []
