"""Which park and industries each thing a pair can name belongs to (for per-park statistics)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario


@dataclass(frozen=True)
class Side:
    """One side of a pair: the park it belongs to (if any) and its industries."""

    park_id: int | None
    industries: tuple[str, ...]
    is_item: bool


def _tags(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        import json

        value = json.loads(value)
    return tuple(str(v) for v in value)


class Directory:
    """Park and industries of every item, organisation and park, read in five queries."""

    def __init__(self, session: Session) -> None:
        org_park: dict[int, int | None] = {}
        self._sides: dict[tuple[str, int], Side] = {}
        for org_id, park_id, industries in session.execute(
            select(Organisation.id, Organisation.park_id, Organisation.industries)
        ):
            org_park[org_id] = park_id
            self._sides[("organisation", org_id)] = Side(park_id, _tags(industries), False)
        for park_id, industries in session.execute(select(Park.id, Park.industries)):
            self._sides[("park", park_id)] = Side(park_id, _tags(industries), False)
        for item_id, owner, industries in session.execute(
            select(Achievement.id, Achievement.owner_id, Achievement.industries)
        ):
            self._sides[("achievement", item_id)] = Side(
                org_park.get(owner), _tags(industries), True
            )
        for item_id, park_id, enterprise, industries in session.execute(
            select(Need.id, Need.park_id, Need.enterprise_id, Need.industries)
        ):
            park = park_id if park_id is not None else org_park.get(enterprise)
            self._sides[("need", item_id)] = Side(park, _tags(industries), True)
        for item_id, park_id, industries in session.execute(
            select(Scenario.id, Scenario.park_id, Scenario.industries)
        ):
            self._sides[("scenario", item_id)] = Side(park_id, _tags(industries), True)

    def side(self, kind: str, item_id: int) -> Side:
        """What is known of one side (an unknown or deleted thing belongs nowhere)."""
        return self._sides.get((kind, item_id), Side(None, (), False))

    def pair_parks(self, source: tuple[str, int], target: tuple[str, int]) -> set[int]:
        """The parks a pair concerns: the park of either side."""
        return {
            side.park_id
            for side in (self.side(*source), self.side(*target))
            if side.park_id is not None
        }

    def pair_industries(self, source: tuple[str, int], target: tuple[str, int]) -> tuple[str, ...]:
        """The industries of the pair's items (of its organisation or park when it has no item)."""
        sides = [self.side(*source), self.side(*target)]
        items = [s for s in sides if s.is_item] or sides
        out: list[str] = []
        for side in items:
            out.extend(code for code in side.industries if code not in out)
        return tuple(out)
