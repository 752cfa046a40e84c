"""Whom to invite: organisations ranked by how well they fit an event's theme, with reasons.

An organisation's fit (0–100) is measured on its active needs, achievements and scenarios:

- industry (weight 0.5 when the event names industries): items in the event's industries, two or
  more count fully;
- words (0.35; 0.8 without industries): the best item's shared rare words with the event's name,
  description and industry names (IDF-weighted cosine over the organisations' items, counted fully
  from 0.35 as in the lexical pair scorer);
- place (0.15; 0.2 without industries): the organisation sits in the event's park.

Each part that counts comes with a reason in Chinese and English. Organisations already invited or
at the event are flagged, not hidden, so the organiser sees the whole ranking.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.taxonomy import industry_zh
from matchmaker.events.models import Event
from matchmaker.events.participation_models import EventInvitation
from matchmaker.events.service.participants import in_theme
from matchmaker.retrieval.index.tokenize import tokenize
from matchmaker.store.models import Achievement, Need, Organisation, Scenario

WORD_SATURATION = 0.35
THEMED_ITEMS_FULL = 2


@dataclass
class Candidate:
    """An organisation as the invitation list shows it: its fit, why, and whether it is invited."""

    organisation_id: int
    name: str
    kind: str
    province: str
    city: str | None
    fit: float
    reasons: list[str] = field(default_factory=list)
    themed_items: int = 0
    invited: bool = False
    participant: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain fields for the API and the pages."""
        return dict(self.__dict__)


@dataclass
class _Item:
    owner: int
    title: str
    industries: tuple[str, ...]
    tokens: frozenset[str]


def _items(session: Session) -> list[_Item]:
    out: list[_Item] = []
    kinds: tuple[tuple[type[Need] | type[Achievement] | type[Scenario], Any], ...] = (
        (Need, Need.enterprise_id),
        (Achievement, Achievement.owner_id),
        (Scenario, Scenario.owner_id),
    )
    for model, owner in kinds:
        rows: Iterable[Need | Achievement | Scenario] = session.scalars(
            select(model).where(model.status == "active", owner.is_not(None))
        )
        for row in rows:
            owner_id = getattr(row, owner.key)
            out.append(
                _Item(
                    int(owner_id),
                    row.title,
                    tuple(row.industries or ()),
                    frozenset(tokenize(row.embedding_text())),
                )
            )
    return out


def theme_text(event: Event) -> str:
    """The words an event's theme is read from: name, description and industry names."""
    return " ".join([event.name, event.description or "", *map(industry_zh, event.industries)])


class _Words:
    """IDF-weighted cosine between the theme's words and an item's, saturating like the scorer."""

    def __init__(self, theme: Iterable[str], items: list[_Item]) -> None:
        self.df: Counter[str] = Counter()
        for item in items:
            self.df.update(item.tokens)
        self.docs = len(items)
        self.theme = frozenset(t for t in theme if t in self.df)
        self.theme_norm = math.sqrt(sum(self.idf2(t) for t in self.theme))

    def idf2(self, token: str) -> float:
        value = math.log((self.docs + 1) / (self.df.get(token, 0) + 1)) + 1.0
        return value * value

    def score(self, tokens: frozenset[str]) -> tuple[float, list[str]]:
        shared = self.theme & tokens
        if not shared or not self.theme_norm:
            return 0.0, []
        norm = self.theme_norm * math.sqrt(sum(self.idf2(t) for t in tokens))
        value = sum(self.idf2(t) for t in shared) / (norm or 1.0)
        words = sorted(shared, key=lambda t: (-self.idf2(t), t))
        return min(1.0, value / WORD_SATURATION), words


def _fit_of(
    event: Event, org: Organisation, items: list[_Item], words: _Words
) -> tuple[float, list[str], int]:
    themed = [i for i in items if event.industries and in_theme(event, i.industries)]
    best, shared = 0.0, []
    for item in items:
        value, found = words.score(item.tokens)
        if value > best:
            best, shared = value, found
    place = 1.0 if event.park_id is not None and org.park_id == event.park_id else 0.0
    reasons: list[str] = []
    if event.industries:
        industry = min(1.0, len(themed) / THEMED_ITEMS_FULL)
        fit = 0.5 * industry + 0.35 * best + 0.15 * place
        if themed:
            titles = "、".join(f"“{i.title}”" for i in themed[:2])
            reasons.append(
                f"活动行业内的在库条目 {len(themed)} 项：{titles} / {len(themed)} active item(s) "
                "in the event's industries"
            )
    else:
        fit = 0.8 * best + 0.2 * place
    if shared:
        reasons.append(
            f"与活动主题共同的词：{'、'.join(shared[:4])} / shares words with the event's theme"
        )
    if place:
        reasons.append("位于活动所在园区 / based in the event's park")
    if not items:
        reasons.append("暂无在库条目 / no active items yet")
    return round(100.0 * fit, 1), reasons, len(themed)


def ranked_candidates(
    session: Session,
    event: Event,
    *,
    query: str = "",
    kind: str | None = None,
    province: str | None = None,
    themed_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[Candidate]]:
    """Organisations by fit to the event's theme (best first, then by name), filtered by a search
    of name or 编号, kind, province and "only those with items in the theme"; (total, page)."""
    items = _items(session)
    words = _Words(tokenize(theme_text(event)), items)
    by_owner: dict[int, list[_Item]] = {}
    for item in items:
        by_owner.setdefault(item.owner, []).append(item)
    invited = set(
        session.scalars(
            select(EventInvitation.organisation_id).where(EventInvitation.event_id == event.id)
        )
    )
    present = {p.organisation_id for p in event.participants}
    text = query.strip().lower()
    found: list[Candidate] = []
    for org in session.scalars(select(Organisation)):
        if text and text not in org.name.lower() and text != org.external_id.lower():
            continue
        if (kind and org.kind != kind) or (province and org.province != province):
            continue
        fit, reasons, themed = _fit_of(event, org, by_owner.get(org.id, []), words)
        if themed_only and not themed:
            continue
        found.append(
            Candidate(
                org.id,
                org.name,
                org.kind,
                org.province,
                org.city,
                fit,
                reasons,
                themed,
                invited=org.id in invited,
                participant=org.id in present,
            )
        )
    found.sort(key=lambda c: (-c.fit, c.name))
    return len(found), found[offset : offset + limit]


def fit_of(session: Session, event: Event, organisation_id: int) -> Candidate | None:
    """One organisation's fit to the event (None when it does not exist)."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        return None
    items = _items(session)
    words = _Words(tokenize(theme_text(event)), items)
    mine = [i for i in items if i.owner == org.id]
    fit, reasons, themed = _fit_of(event, org, mine, words)
    return Candidate(org.id, org.name, org.kind, org.province, org.city, fit, reasons, themed)
