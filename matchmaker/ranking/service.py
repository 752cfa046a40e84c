"""The recommendation service every caller shares (API, CLI, events, digests).

    rec = get_container().recommender         # one per process, over the container's index
    rec.recommend(session, "tech-transfer", "need", need_id, k=10)
    rec.recommend_for_park(session, park_id)  # eastern achievements for one park
    rec.record_feedback(session, ..., action="reject", reason="too_early")

The caller owns the session and its transaction: shown pairs and feedback are added to it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from matchmaker.core.config import CHINA
from matchmaker.core.kinds import EAST_TO_GUANGXI
from matchmaker.core.messages import Text
from matchmaker.ranking.calibration import PairCalibrator, pair_calibrator_for, pair_row
from matchmaker.ranking.catalogue import Catalogue, CatalogueCache
from matchmaker.ranking.context import (
    RankContext,
    Scored,
    UnknownSource,
    check_source_fits_track,
    load_source,
    no_record,
)
from matchmaker.ranking.diversity import diversify, owner_cap
from matchmaker.ranking.explain import build_recommendation
from matchmaker.ranking.feedback import (
    PairKey,
    ShownRow,
    add_feedback,
    check_action,
    latest_shown,
    list_feedback,
    log_shown,
    rejected_targets,
    training_examples,
)
from matchmaker.ranking.ranker import pool_size
from matchmaker.ranking.reranker import TrainingReport, load_active, model_path, save, train
from matchmaker.ranking.results import Recommendation
from matchmaker.ranking.scoring import LinearScorer, hand_set
from matchmaker.ranking.similarity import TextSpace
from matchmaker.ranking.targets import rank_targets
from matchmaker.ranking.tracks import TRACKS, Track, check_route, get_track
from matchmaker.retrieval.index.service import SearchIndex
from matchmaker.store.feedback import PairFeedback
from matchmaker.store.models import utcnow

MAX_K = 100
FIXED = "*"  # marks a pair calibrator set by the caller rather than read from the model file
DIVERSITY_POOL = 5  # diversity re-orders the best 5·k candidates (enough to fill k under any cap)


@dataclass(frozen=True)
class FeedbackEntry:
    """One stored verdict on a pair, with source and target as kind:external-id."""

    track: str
    source: str
    target: str
    action: str
    reason: str | None
    note: str
    by: str | None
    at: str

    def as_dict(self) -> dict[str, str | None]:
        """Plain form for JSON output."""
        return asdict(self)


@dataclass
class _State:
    catalogue: Catalogue
    space: TextSpace


class Recommender:
    """Ranks candidate pairs for the three tracks; one instance per process, shared by callers."""

    def __init__(
        self,
        index: SearchIndex | None = None,
        *,
        data_dir: Path | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._index = index
        self._data_dir = data_dir
        self.clock = clock
        self._catalogues = CatalogueCache()
        self._state: _State | None = None
        self._scorers: dict[str, tuple[float, LinearScorer]] = {}
        self._lock = threading.RLock()
        self._calibrator: tuple[str, PairCalibrator | None] | None = None

    # ---- shared state ------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        """Where trained models live (the configured data directory unless given)."""
        if self._data_dir is None:
            from matchmaker.core.container import get_container

            self._data_dir = get_container().settings.data_dir
        return self._data_dir

    def index(self, session: Session) -> SearchIndex:
        """The search index (the configured one, loaded and synced on first use, unless given)."""
        with self._lock:
            if self._index is None:
                from matchmaker.core.container import get_container

                self._index = get_container().index()
            return self._index

    def _current(self, session: Session) -> _State:
        """Data snapshot and vectors as of now; re-syncs the index when the data changed."""
        catalogue = self._catalogues.get(session)
        with self._lock:
            state = self._state
            if state is not None and state.catalogue is catalogue:
                return state
            index = self.index(session)
            index.sync(session)
            self._state = _State(catalogue, TextSpace(index, catalogue))
            return self._state

    def last_space(self) -> TextSpace | None:
        """The vectors and word statistics of the last snapshot, not refreshed (None before the
        first ranking): search explanations read word rarity here and never wait for a rebuild."""
        with self._lock:
            return self._state.space if self._state is not None else None

    def scorer(self, track: Track) -> LinearScorer:
        """The learned scorer of a track when it beat the hand-set weights, else the hand-set one."""
        path = model_path(self.data_dir, track.name)
        stamp = path.stat().st_mtime if path.exists() else -1.0
        with self._lock:
            cached = self._scorers.get(track.name)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            scorer = load_active(self.data_dir, track.name) or hand_set(track)
            self._scorers[track.name] = (stamp, scorer)
            return scorer

    def context(self, session: Session, track: str | Track) -> RankContext:
        """Everything a ranking on one track reads, fresh as of now."""
        chosen = get_track(track) if isinstance(track, str) else track
        state = self._current(session)
        return RankContext(
            catalogue=state.catalogue,
            space=state.space,
            index=self.index(session),
            track=chosen,
            scorer=self.scorer(chosen),
            now=self.clock(),
        )

    def resolve(self, session: Session, kind: str, ref: str | int) -> int:
        """Database id of an item, park or organisation from its id or external id (编号)."""
        catalogue = self._catalogues.get(session)
        found = catalogue.resolve(kind, ref)
        if found is None:
            raise UnknownSource(Text("rank.err.no_ref", kind=Text(f"label.kind.{kind}"), ref=ref))
        return found

    # ---- recommending ------------------------------------------------------------------------
    def recommend(
        self,
        session: Session,
        track: str,
        source_kind: str,
        source_id: int,
        k: int = 10,
        *,
        target_kind: str | None = None,
        log: bool = False,
    ) -> list[Recommendation]:
        """The best k targets for one source on one track, with reasons; closed or expired items,
        and targets this source rejected before, never appear. `log` stores what was shown."""
        chosen = get_track(track)
        target = check_route(chosen, source_kind, target_kind)
        k = max(1, min(int(k), MAX_K))
        ctx = self.context(session, chosen)
        source = load_source(ctx, source_kind, source_id)
        check_source_fits_track(ctx, source)
        if not source.open:
            return []
        exclude = rejected_targets(session, source_kind, source_id, target)
        ranked = rank_targets(ctx, source, target, exclude=exclude, depth=pool_size(k))
        decay = chosen.diversity_decay * ctx.scorer.unit / hand_set(chosen).unit
        picks = diversify(
            ranked[: DIVERSITY_POOL * k],
            score=lambda s: s.score,
            owner=lambda s: s.owner_id,
            k=k,
            decay=decay,
            cap=owner_cap(chosen.owner_cap, k),
        )
        seen: Counter[int | None] = Counter()
        out = []
        for rank, (scored, penalty) in enumerate(picks, start=1):
            out.append(
                build_recommendation(
                    chosen.name,
                    source,
                    scored,
                    rank=rank,
                    penalty=penalty,
                    earlier_same_owner=seen[scored.owner_id],
                    space=ctx.space,
                    model=ctx.scorer.name,
                )
            )
            seen[scored.owner_id] += 1
        self.calibrate(session, out)
        if log and out:
            log_shown(session, (self._row(r) for r in out))
        return out

    def calibrator(self, session: Session) -> PairCalibrator | None:
        """The pair calibrator in use: one set by `set_calibrator`, else the shipped file when it
        was fitted on the index's embedder (read once)."""
        with self._lock:
            chosen = self._calibrator
            if chosen is not None and chosen[0] == FIXED:
                return chosen[1]
            name = self.index(session).embedder.name
            if chosen is None or chosen[0] != name:
                chosen = self._calibrator = (name, pair_calibrator_for(name))
            return chosen[1]

    def set_calibrator(self, calibrator: PairCalibrator | None) -> None:
        """Use this pair calibrator (None: no levels) instead of the shipped file."""
        with self._lock:
            self._calibrator = (FIXED, calibrator)

    def calibrate(self, session: Session, recs: list[Recommendation]) -> None:
        """Set each pair's calibrated relevance and level (nothing without a calibrator)."""
        model = self.calibrator(session)
        if model is None or not recs:
            return
        rows = np.asarray(
            [
                # the pair's own score: the diversity penalty orders the list, not its relevance
                pair_row(
                    r.cosine,
                    r.features.get("lexical", 0.0),
                    r.score - r.contributions.get("diversity", 0.0),
                )
                for r in recs
            ]
        )
        for rec, p in zip(recs, model.probability(rows), strict=True):
            rec.relevance = round(float(p), 4)
            rec.level = model.level(float(p))

    def recommend_all(
        self,
        session: Session,
        track: str,
        source_kind: str,
        source_id: int,
        k: int = 10,
        *,
        target_kind: str | None = None,
        log: bool = False,
    ) -> dict[str, list[Recommendation]]:
        """One list per target kind the track ranks for this source (e.g. results and providers),
        or only the list of `target_kind`."""
        chosen = get_track(track)
        check_route(chosen, source_kind, target_kind)
        targets = (target_kind,) if target_kind else chosen.targets(source_kind)
        return {
            target: self.recommend(
                session, track, source_kind, source_id, k, target_kind=target, log=log
            )
            for target in targets
        }

    def is_open(self, session: Session, kind: str, source_id: int) -> bool:
        """Whether an item still gets recommendations: active and its deadline not passed (China
        time); parks and organisations are always open."""
        view = self._catalogues.get(session).items.get(kind, {}).get(source_id)
        return view is None or view.open_on(self.clock().astimezone(CHINA).date())

    def recommend_for_park(
        self,
        session: Session,
        park_id: int,
        k: int = 10,
        *,
        target_kind: str = "achievement",
        log: bool = False,
    ) -> list[Recommendation]:
        """Eastern achievements (or firms, `target_kind="organisation"`) that fit one Guangxi park."""
        return self.recommend(
            session, EAST_TO_GUANGXI, "park", park_id, k, target_kind=target_kind, log=log
        )

    def score_pairs(
        self,
        session: Session,
        track: str,
        source_kind: str,
        source_id: int,
        target_kind: str,
        target_ids: Iterable[int],
    ) -> dict[int, Scored]:
        """Scores of given targets for one source, for evaluation and feedback (ineligible targets,
        closed or expired, are absent from the result)."""
        chosen = get_track(track)
        target = check_route(chosen, source_kind, target_kind)
        ctx = self.context(session, chosen)
        source = load_source(ctx, source_kind, source_id)
        wanted = list(target_ids)
        ranked = rank_targets(ctx, source, target, only=wanted, depth=pool_size(len(wanted)))
        return {s.id: s for s in ranked}

    @staticmethod
    def _row(rec: Recommendation) -> ShownRow:
        return ShownRow(
            PairKey(rec.track, rec.source_kind, rec.source_id, rec.target_kind, rec.target_id),
            rec.rank,
            rec.score,
            {k: v for k, v in rec.features.items()},
            rec.model,
        )

    # ---- feedback ----------------------------------------------------------------------------
    def record_feedback(
        self,
        session: Session,
        track: str,
        source_kind: str,
        source_id: int,
        target_kind: str,
        target_id: int,
        action: str,
        *,
        reason: str | None = None,
        note: str = "",
        actor: str | None = None,
        at: dt.datetime | None = None,
    ) -> PairFeedback:
        """Store a party's verdict on a pair; if the pair was never shown, its features are computed
        and logged now so the feedback can still train the re-ranker."""
        check_action(action, reason)
        chosen = get_track(track)
        target = check_route(chosen, source_kind, target_kind)
        pair = PairKey(chosen.name, source_kind, source_id, target, target_id)
        shown = latest_shown(session, pair)
        if shown is None:
            ctx = self.context(session, chosen)
            load_source(ctx, source_kind, source_id)  # UnknownSource for a bad source id
            self._check_target(ctx, target, target_id)
            scored = rank_targets(
                ctx, load_source(ctx, source_kind, source_id), target, only=[target_id]
            )
            features = dict(scored[0].features.values) if scored else {}
            score = scored[0].score if scored else 0.0
            shown = log_shown(session, [ShownRow(pair, 0, score, features, ctx.scorer.name)])[0]
        return add_feedback(
            session, pair, action, reason=reason, note=note, actor=actor, shown=shown, at=at
        )

    def feedback_history(
        self,
        session: Session,
        *,
        track: str | None = None,
        party: tuple[str, str | int] | None = None,
        limit: int = 20,
    ) -> list[FeedbackEntry]:
        """Recent feedback, newest first, optionally for one track or one party (kind and id or
        external id), with every record named by its external id."""
        chosen = get_track(track).name if track else None
        who = (party[0], self.resolve(session, party[0], party[1])) if party else None
        catalogue = self._catalogues.get(session)

        def ref(kind: str, record_id: int) -> str:
            view = catalogue.table(kind).get(record_id)
            return f"{kind}:{view.external_id if view is not None else record_id}"

        return [
            FeedbackEntry(
                track=row.track,
                source=ref(row.source_kind, row.source_id),
                target=ref(row.target_kind, row.target_id),
                action=row.action,
                reason=row.reason,
                note=row.note,
                by=row.actor,
                at=row.created_at.isoformat(timespec="seconds"),
            )
            for row in list_feedback(session, track=chosen, party=who, limit=limit)
        ]

    def train_reranker(self, session: Session, track: str | None = None) -> list[TrainingReport]:
        """Train the re-ranker of one track (or every track) on stored feedback; a model is saved,
        and used, only when it beats the hand-set weights on held-out feedback."""
        chosen = [get_track(track)] if track else list(TRACKS.values())
        reports = []
        for item in chosen:
            report = train(item, training_examples(session, item.name))
            if report.trained:
                save(report, self.data_dir)
            reports.append(report)
        return reports

    @staticmethod
    def _check_target(ctx: RankContext, kind: str, target_id: int) -> None:
        if target_id not in ctx.catalogue.table(kind):
            raise no_record(kind, target_id)


def get_recommender() -> Recommender:
    """The process-wide recommender (the container's), for the CLI and jobs."""
    from matchmaker.core.container import get_container

    return get_container().recommender
