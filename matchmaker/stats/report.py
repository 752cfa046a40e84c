"""A park's special statistics for one period (园区专项统计): resources gathered, innovation
vitality, industrial empowerment (the recommendation funnel and events) and outreach (digests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from matchmaker.core.taxonomy import industry_zh
from matchmaker.maps.park_map import find_park
from matchmaker.stats.funnel import FunnelReport, build_funnel
from matchmaker.stats.inventory import Inventory, build_inventory
from matchmaker.stats.outcomes import DigestFigures, EventOutcomes, digest_figures, event_outcomes
from matchmaker.stats.periods import Period
from matchmaker.stats.scope import Directory
from matchmaker.store.models import utcnow

SECTIONS_ZH = {
    "inventory": "资源集聚与创新活力（机构、成果、需求、场景及其新鲜度）",
    "funnel": "产业赋能：推荐转化漏斗",
    "events": "产业赋能：对接活动",
    "digest": "运营触达：推送",
}


@dataclass
class ParkReport:
    """Every figure of one park (or the whole platform when `park` is None) for one period."""

    park: dict[str, Any] | None
    period: Period
    as_of: dt.datetime
    inventory: Inventory
    funnel: FunnelReport
    events: EventOutcomes
    digest: DigestFigures

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON (the API's statistics document)."""
        return {
            "park": self.park,
            "period": {
                "label": self.period.label,
                "label_zh": self.period.label_zh,
                "kind": self.period.kind,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "as_of": self.as_of.isoformat(timespec="seconds"),
            "sections": SECTIONS_ZH,
            "inventory": self.inventory.as_dict(),
            "funnel": self.funnel.as_dict(),
            "events": self.events.as_dict(),
            "digest": self.digest.as_dict(),
        }


def build_report(
    session: Session,
    park_ref: str | int | None,
    period: Period,
    *,
    as_of: dt.datetime | None = None,
) -> ParkReport:
    """Gather the period's figures for a park (by id, external id or name) or for everyone."""
    moment = (as_of or utcnow()).astimezone(dt.UTC)
    park_info: dict[str, Any] | None = None
    park_id: int | None = None
    if park_ref is not None:
        park = find_park(session, park_ref)
        park_id = park.id
        park_info = {
            "id": park.id,
            "external_id": park.external_id,
            "name": park.name,
            "industries": list(park.industries or []),
            "industries_zh": [industry_zh(c) for c in park.industries or []],
        }
    directory = Directory(session)
    return ParkReport(
        park=park_info,
        period=period,
        as_of=moment,
        inventory=build_inventory(session, period, park_id=park_id, as_of=moment),
        funnel=build_funnel(session, period, park_id=park_id, as_of=moment, directory=directory),
        events=event_outcomes(session, period, park_id=park_id, as_of=moment),
        digest=digest_figures(session, period, park_id=park_id),
    )
