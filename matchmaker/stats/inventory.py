"""Counts of a park's organisations and items, and how fresh the items are.

An item is fresh when it was created or updated within `FRESH_DAYS` before the report moment
(the end of the period, or `as_of` when that is earlier); age is measured from the last update.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.kinds import ITEM_KINDS
from matchmaker.core.vocab import ORG_KINDS
from matchmaker.stats.periods import Period, aware
from matchmaker.store.models import Achievement, Need, Organisation, Scenario

FRESH_DAYS = 90


@dataclass
class KindStock:
    """One item kind in scope: how many, how many new or updated in the period, how fresh."""

    total: int = 0
    active: int = 0
    new_in_period: int = 0
    updated_in_period: int = 0
    fresh: int = 0  # active items updated within FRESH_DAYS of the report moment
    median_age_days: float | None = None

    @property
    def fresh_share(self) -> float | None:
        """Share of active items that are fresh (None when there are none)."""
        return round(self.fresh / self.active, 4) if self.active else None

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON."""
        return {
            "total": self.total,
            "active": self.active,
            "new_in_period": self.new_in_period,
            "updated_in_period": self.updated_in_period,
            "fresh": self.fresh,
            "fresh_share": self.fresh_share,
            "median_age_days": self.median_age_days,
        }


@dataclass
class Inventory:
    """Organisations by kind, items by kind with freshness, active items by industry."""

    organisations: dict[str, int]
    items: dict[str, KindStock]
    by_industry: dict[str, dict[str, int]] = field(default_factory=dict)
    fresh_days: int = FRESH_DAYS

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON."""
        return {
            "organisations": self.organisations,
            "items": {kind: stock.as_dict() for kind, stock in self.items.items()},
            "by_industry": self.by_industry,
            "fresh_days": self.fresh_days,
        }


def _item_rows(session: Session, park_id: int | None) -> dict[str, list[Any]]:
    owners = select(Organisation.id).where(Organisation.park_id == park_id)
    achievements = select(
        Achievement.status, Achievement.created_at, Achievement.updated_at, Achievement.industries
    )
    needs = select(Need.status, Need.created_at, Need.updated_at, Need.industries)
    scenarios = select(
        Scenario.status, Scenario.created_at, Scenario.updated_at, Scenario.industries
    )
    if park_id is not None:
        achievements = achievements.where(Achievement.owner_id.in_(owners))
        needs = needs.where(Need.park_id == park_id)
        scenarios = scenarios.where(Scenario.park_id == park_id)
    return {
        "achievement": list(session.execute(achievements)),
        "need": list(session.execute(needs)),
        "scenario": list(session.execute(scenarios)),
    }


def build_inventory(
    session: Session, period: Period, *, park_id: int | None = None, as_of: dt.datetime
) -> Inventory:
    """Organisations and items of one park (or of the whole platform) as of the report moment."""
    moment = min(as_of.astimezone(dt.UTC), period.end)
    org_query = select(Organisation.kind)
    if park_id is not None:
        org_query = org_query.where(Organisation.park_id == park_id)
    kinds = Counter(session.scalars(org_query))
    organisations = {kind: kinds.get(kind, 0) for kind in ORG_KINDS}
    items: dict[str, KindStock] = {}
    by_industry: dict[str, dict[str, int]] = {}
    for kind, rows in _item_rows(session, park_id).items():
        stock = KindStock()
        ages: list[float] = []
        for status, created, updated, industries in rows:
            created, updated = aware(created), aware(updated)
            if created is not None and created >= moment:
                continue  # did not exist yet at the report moment
            stock.total += 1
            stock.new_in_period += period.contains(created)
            stock.updated_in_period += period.contains(updated) and not period.contains(created)
            if status != "active":
                continue
            stock.active += 1
            last = min(updated or created or moment, moment)
            age = (moment - last).total_seconds() / 86400
            ages.append(age)
            stock.fresh += age <= FRESH_DAYS
            for code in industries or []:
                by_industry.setdefault(code, dict.fromkeys(ITEM_KINDS, 0))[kind] += 1
        stock.median_age_days = round(statistics.median(ages), 1) if ages else None
        items[kind] = stock
    return Inventory(organisations, items, dict(sorted(by_industry.items())))
