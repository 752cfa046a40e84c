"""Participant-pair scores for an event: how well what one organisation brings fits the other's.

A pair of participants scores the best match, over the event's tracks, between an item one side
brings and an item the other brings:

- tech-transfer (技术转移): a need of one side → an achievement of the other;
- scenario (场景驱动): a scenario of one side → an achievement of the other;
- east-to-guangxi (东部研发—广西转化): an achievement of a side outside Guangxi → a need of a
  Guangxi side.

Item pairs are scored by an ``ItemScorer``: ``EngineScorer`` asks the pairing engine
(``matchmaker.ranking.service.Recommender.score_pairs``, which needs the search index and its
embeddings); ``LexicalScorer`` is this module's own fallback without embeddings (shared words
weighted by rarity, shared industries, maturity), used when no search index is at hand. Scores
are put on a 0–100 scale; pairs scoring 0 or less are not candidates.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.kinds import SCENARIO, TECH_TRANSFER, TRACK_NAMES
from matchmaker.core.vocab import is_guangxi
from matchmaker.events.service.errors import Invalid
from matchmaker.retrieval.index.tokenize import tokenize
from matchmaker.store.models import ITEM_MODELS, Achievement, Need, Organisation, Scenario

if TYPE_CHECKING:
    from matchmaker.core.container import Container
    from matchmaker.ranking.service import Recommender

SCALE = 100.0  # item scores (0..1) are printed on a 0..100 scale
LEXICAL_SATURATION = 0.35  # IDF cosine at which the lexical part counts fully (as in rank)
LEXICAL_WEIGHTS = {"words": 0.6, "industry": 0.25, "maturity": 0.15}
DEFAULT_WANTED_TRL = 4

PairKey = tuple[int, int]


@dataclass(frozen=True)
class Offer:
    """What one participant brings: its needs, achievements and scenarios (database ids)."""

    participant_id: int
    organisation_id: int
    guangxi: bool
    needs: tuple[int, ...] = ()
    achievements: tuple[int, ...] = ()
    scenarios: tuple[int, ...] = ()


class ItemScorer(Protocol):
    """Scores (about 0..1) of target items for one source item on one track."""

    name: str

    def score(
        self,
        session: Session,
        track: str,
        source_kind: str,
        source_id: int,
        target_kind: str,
        target_ids: Sequence[int],
    ) -> dict[int, float]:
        """Score of every eligible target (ineligible ones are left out)."""
        ...


class EngineScorer:
    """Item scores from the pairing engine (the recommender's ranking features and weights)."""

    name = "engine"

    def __init__(self, recommender: Recommender) -> None:
        self.recommender = recommender

    def score(
        self,
        session: Session,
        track: str,
        source_kind: str,
        source_id: int,
        target_kind: str,
        target_ids: Sequence[int],
    ) -> dict[int, float]:
        """Ask the recommender for exactly these targets (closed or same-owner ones drop out)."""
        from matchmaker.ranking.context import UnknownSource

        try:
            found = self.recommender.score_pairs(
                session, track, source_kind, source_id, target_kind, target_ids
            )
        except UnknownSource:
            return {}
        return {target: scored.score for target, scored in found.items()}


@dataclass(frozen=True)
class _ItemFacts:
    tokens: frozenset[str]
    industries: tuple[str, ...]
    owner_id: int | None
    trl: int | None
    min_trl: int | None


class LexicalScorer:
    """Fallback item scores without embeddings: 0.6 shared rare words + 0.25 shared industries +
    0.15 maturity (the achievement's TRL reaches what the need asks)."""

    name = "lexical"

    def __init__(self) -> None:
        self._facts: dict[tuple[str, int], _ItemFacts] = {}
        self._df: Counter[str] = Counter()
        self._docs = 0

    def _load(self, session: Session, kind: str, ids: Iterable[int]) -> None:
        wanted = [i for i in dict.fromkeys(ids) if (kind, i) not in self._facts]
        if not wanted:
            return
        for row in item_rows(session, kind, wanted):
            tokens = frozenset(tokenize(row.embedding_text()))
            if isinstance(row, Achievement):
                facts = _ItemFacts(tokens, tuple(row.industries or ()), row.owner_id, row.trl, None)
            elif isinstance(row, Need):
                facts = _ItemFacts(
                    tokens, tuple(row.industries or ()), row.enterprise_id, None, row.min_trl
                )
            else:
                facts = _ItemFacts(tokens, tuple(row.industries or ()), row.owner_id, None, None)
            self._facts[(kind, row.id)] = facts
            self._df.update(tokens)
            self._docs += 1

    def _idf2(self, token: str) -> float:
        idf = math.log((self._docs + 1) / (self._df.get(token, 0) + 1)) + 1.0
        return idf * idf

    def _words(self, a: frozenset[str], b: frozenset[str]) -> float:
        if not a or not b:
            return 0.0
        shared = sum(self._idf2(t) for t in a & b)
        norm = math.sqrt(sum(self._idf2(t) for t in a)) * math.sqrt(sum(self._idf2(t) for t in b))
        return min(1.0, shared / (norm or 1.0) / LEXICAL_SATURATION)

    @staticmethod
    def _industry(a: tuple[str, ...], b: tuple[str, ...]) -> float:
        if not a or not b:
            return 0.0
        return len([code for code in a if code in b]) / min(len(a), len(b))

    @staticmethod
    def _maturity(supply: _ItemFacts, demand: _ItemFacts) -> float:
        if supply.trl is None:
            return 0.5
        return 1.0 if supply.trl >= (demand.min_trl or DEFAULT_WANTED_TRL) else 0.0

    def score(
        self,
        session: Session,
        track: str,
        source_kind: str,
        source_id: int,
        target_kind: str,
        target_ids: Sequence[int],
    ) -> dict[int, float]:
        """Scores of the targets that exist and belong to another organisation."""
        self._load(session, source_kind, [source_id])
        self._load(session, target_kind, target_ids)
        source = self._facts.get((source_kind, source_id))
        if source is None:
            return {}
        out: dict[int, float] = {}
        for target_id in target_ids:
            target = self._facts.get((target_kind, target_id))
            if target is None or (
                source.owner_id is not None and target.owner_id == source.owner_id
            ):
                continue
            supply, demand = (source, target) if source_kind == "achievement" else (target, source)
            out[target_id] = (
                LEXICAL_WEIGHTS["words"] * self._words(source.tokens, target.tokens)
                + LEXICAL_WEIGHTS["industry"] * self._industry(source.industries, target.industries)
                + LEXICAL_WEIGHTS["maturity"] * self._maturity(supply, demand)
            )
        return out


def item_rows(
    session: Session, kind: str, ids: Sequence[int]
) -> list[Achievement | Need | Scenario]:
    """The items of one kind with these ids (missing ids are left out)."""
    model = ITEM_MODELS[kind]
    rows: list[Achievement | Need | Scenario] = list(
        session.scalars(select(model).where(model.id.in_(ids)))
    )
    return rows


def open_item_ids(session: Session, kind: str, ids: Iterable[int], today: dt.date) -> set[int]:
    """Items of a kind that may be matched today: they exist, are active and not past deadline."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return set()
    found: set[int] = set()
    for row in item_rows(session, kind, wanted):
        deadline = getattr(row, "deadline", None)
        if row.status == "active" and (deadline is None or deadline >= today):
            found.add(row.id)
    return found


def offers_for(session: Session, participants: Iterable[OfferSource]) -> list[Offer]:
    """Offers of event participants (their organisation's province decides the Guangxi side)."""
    rows = list(participants)
    found = session.execute(
        select(Organisation.id, Organisation.province).where(
            Organisation.id.in_({p.organisation_id for p in rows})
        )
    )
    provinces: dict[int, str] = {org_id: province for org_id, province in found}
    return [
        Offer(
            participant_id=p.id,
            organisation_id=p.organisation_id,
            guangxi=is_guangxi(provinces.get(p.organisation_id)),
            needs=tuple(p.need_ids or ()),
            achievements=tuple(p.achievement_ids or ()),
            scenarios=tuple(p.scenario_ids or ()),
        )
        for p in rows
    ]


class OfferSource(Protocol):
    """The participant fields an offer is read from (EventParticipant has them)."""

    id: int
    organisation_id: int
    need_ids: list[int]
    achievement_ids: list[int]
    scenario_ids: list[int]


def _key(a: int, b: int) -> PairKey:
    return (a, b) if a < b else (b, a)


def pair_scores(
    session: Session,
    offers: Sequence[Offer],
    tracks: Sequence[str],
    scorer: ItemScorer,
    today: dt.date | None = None,
    only: set[int] | None = None,
) -> dict[PairKey, float]:
    """Best item-to-item score (0..100) of every pair of participants that can meet on a track.

    ``only``: score just the pairs involving one of these participants (the others are reused).
    """
    today = today or dt.date.today()
    chosen = [t for t in tracks if t in TRACK_NAMES] or list(TRACK_NAMES)
    open_ids = {
        kind: open_item_ids(
            session, kind, (i for o in offers for i in getattr(o, kind + "s")), today
        )
        for kind in ITEM_MODELS
    }
    holders: dict[tuple[str, int], list[Offer]] = defaultdict(list)
    for offer in offers:
        for kind in ITEM_MODELS:
            for item_id in getattr(offer, kind + "s"):
                if item_id in open_ids[kind]:
                    holders[(kind, item_id)].append(offer)
    best: dict[PairKey, float] = {}

    def wanted(source: Offer, other: Offer, guangxi_only: bool) -> bool:
        if other.participant_id == source.participant_id or (guangxi_only and not other.guangxi):
            return False
        return only is None or source.participant_id in only or other.participant_id in only

    def run(
        track: str, source: Offer, source_kind: str, target_kind: str, guangxi_only: bool
    ) -> None:
        targets = [
            item_id
            for (kind, item_id), owners in holders.items()
            if kind == target_kind and any(wanted(source, o, guangxi_only) for o in owners)
        ]
        if not targets:
            return
        for source_id in getattr(source, source_kind + "s"):
            if source_id not in open_ids[source_kind]:
                continue
            found = scorer.score(session, track, source_kind, source_id, target_kind, targets)
            for target_id, value in found.items():
                for other in holders[(target_kind, target_id)]:
                    if not wanted(source, other, guangxi_only):
                        continue
                    key = _key(source.participant_id, other.participant_id)
                    scaled = round(SCALE * value, 2)
                    if scaled > best.get(key, 0.0):
                        best[key] = scaled

    for track in chosen:
        for offer in offers:
            if track == TECH_TRANSFER:
                run(track, offer, "need", "achievement", False)
            elif track == SCENARIO:
                run(track, offer, "scenario", "achievement", False)
            elif not offer.guangxi:
                run(track, offer, "achievement", "need", True)
    return {key: value for key, value in best.items() if value > 0}


def default_scorer(recommender: Recommender | None) -> ItemScorer:
    """The pairing engine when a recommender is available, else the lexical fallback."""
    return EngineScorer(recommender) if recommender is not None else LexicalScorer()


SCORER_CHOICES = ("auto", "engine", "lexical")


def chosen_scorer(choice: str, container: Container) -> ItemScorer:
    """The scorer a person asked for: ``engine`` (the container's recommender), ``lexical``, or
    ``auto`` = the engine when a search index has been built (`index build`), else lexical."""
    if choice not in SCORER_CHOICES:
        raise Invalid(
            "--scorer 应为 auto、engine 或 lexical / must be auto, engine or lexical", "scorer"
        )
    if choice == "auto":
        choice = "engine" if container.settings.index_dir.exists() else "lexical"
    if choice == "lexical":
        return LexicalScorer()
    return EngineScorer(container.recommender)
