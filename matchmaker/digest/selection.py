"""Pick each subscriber's items: semantic closeness to their terms, industry and park matches, capped.

Interest terms (keywords and saved searches) are embedded once each as queries; an item's semantic
score for a subscriber is its best similarity to any of their terms, measured in standard
deviations above that term's mean similarity to open items (so a broad term and a narrow one,
or two embedders, are judged on the same scale). An item qualifies when it is semantically close
(z ≥ Z_MIN, or z ≥ Z_LITERAL with the term in its text) or is in one of the subscriber's
industries or parks; qualifying items are ranked by a weighted sum and the best `max_items`
kept. Everything is computed with numpy on items × subscribers matrices, 256 subscribers at a
time, so 10,000 subscribers over 20,000 items take seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from matchmaker.core.kinds import EAST_TO_GUANGXI
from matchmaker.digest import reasons
from matchmaker.digest.candidates import ItemFacts
from matchmaker.digest.vocab import KINDS, eastern_only, wanted_kinds
from matchmaker.retrieval.vectors import TextVectors

Z_MIN = 2.5  # standard deviations above a term's mean similarity that count as "about this"
Z_LITERAL = 1.5  # …or this many, when the item's text contains the term itself
WEIGHTS = {
    "semantic": 1.0,
    "industry": 0.5,
    "park": 0.35,
    "eastern": 0.25,
    "new": 0.05,
    "not_relevant": 0.6,  # taken off items close to one the subscriber marked not relevant
}
NEAR_DUPLICATE = 0.985  # cosine at which an item of the same kind is a re-post of a rejected one
CLOSE_TO_REJECTED = 0.9  # cosine from which the not-relevant penalty starts (full at +0.08)
TERMS_PER_BLOCK = 512  # distinct terms scored together (bounds the block matrix to n_items × 512)
PROFILES_PER_BLOCK = 256  # subscribers scored together (items × 256 matrices)
FULL_SCORES_BYTES = 256 * 2**20  # z-scores of all terms at once when they fit in this
SEM_CAP = 1.5  # semantic part saturates at 4.5 standard deviations


@dataclass(frozen=True)
class Profile:
    """A subscriber as the selection sees them."""

    id: int
    role: str
    tracks: tuple[str, ...]
    industries: tuple[str, ...]
    parks: tuple[int, ...]
    terms: tuple[str, ...]
    max_items: int
    language: str
    since: dt.datetime
    excluded: frozenset[tuple[str, int]] = field(default=frozenset())
    rejected: np.ndarray | None = field(default=None, compare=False)  # not-relevant vectors
    rejected_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pick:
    """One item chosen for one subscriber, with what they read about it."""

    kind: str
    id: int
    title: str
    reasons: tuple[str, ...]
    tags: tuple[str, ...]
    score: float

    def as_record(self) -> list[object]:
        """The JSON form kept with the delivery record (enough to render the e-mail again)."""
        return [self.kind, self.id, self.title, list(self.reasons), list(self.tags)]

    @classmethod
    def from_record(cls, record: Sequence[object]) -> Pick:
        """Back from the delivery record."""
        kind, item_id, title, why, tags = record
        return cls(str(kind), int(item_id), str(title), tuple(why), tuple(tags), 0.0)  # type: ignore[arg-type, call-overload]


class ItemMatrix:
    """Candidate items as arrays: vectors, kinds, times, parks, industries, eastern flag."""

    def __init__(self, items: Sequence[ItemFacts], vectors: np.ndarray) -> None:
        self.items = list(items)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n = len(self.items)
        self.kind = np.fromiter((KINDS.index(i.kind) for i in items), dtype=np.int8, count=n)
        self.updated = np.fromiter((i.updated_at.timestamp() for i in items), np.float64, n)
        self.created = np.fromiter((i.created_at.timestamp() for i in items), np.float64, n)
        eastern = np.fromiter((i.eastern for i in items), dtype=bool, count=n)
        achievement = self.kind == KINDS.index("achievement")
        self.eastern_achievement = eastern & achievement
        self.western_achievement = achievement & ~eastern
        codes = sorted({code for item in items for code in item.industries})
        self.industry_index = {code: j for j, code in enumerate(codes)}
        self.industries = np.zeros((n, max(1, len(codes))), dtype=np.float32)
        parks = sorted({item.park_id for item in items if item.park_id is not None})
        self.park_index = {park: j for j, park in enumerate(parks)}
        self.parks = np.zeros((n, max(1, len(parks))), dtype=np.float32)
        for row, item in enumerate(items):
            for code in item.industries:
                self.industries[row, self.industry_index[code]] = 1.0
            if item.park_id is not None:
                self.parks[row, self.park_index[item.park_id]] = 1.0
        self.industries_t = np.ascontiguousarray(self.industries.T)  # codes × items
        self.parks_t = np.ascontiguousarray(self.parks.T)  # parks × items
        self.row_of = {(item.kind, item.id): row for row, item in enumerate(items)}
        self._lower: dict[int, str] = {}

    def lower_text(self, row: int) -> str:
        """An item's text in lower case (for verbatim term matches), computed once."""
        text = self._lower.get(row)
        if text is None:
            text = self._lower[row] = self.items[row].text.lower()
        return text


class TermScale:
    """Each distinct term's query vector and its similarity mean and spread over reference items."""

    def __init__(self, vectors: TextVectors, terms: Sequence[str], reference: np.ndarray) -> None:
        self.terms = list(terms)
        self.index = {term: j for j, term in enumerate(self.terms)}
        # a term's vector is the one a search for it uses (same embedder, query prefix, cache)
        self.vectors = vectors.queries(self.terms) if self.terms else None
        self.mean = np.zeros(len(self.terms), dtype=np.float32)
        self.std = np.ones(len(self.terms), dtype=np.float32)
        if self.vectors is not None and len(reference):
            for start in range(0, len(self.terms), TERMS_PER_BLOCK):
                sims = reference @ self.vectors[start : start + TERMS_PER_BLOCK].T
                self.mean[start : start + sims.shape[1]] = sims.mean(axis=0)
                self.std[start : start + sims.shape[1]] = np.maximum(sims.std(axis=0), 1e-3)

    def z_scores(self, item_vectors: np.ndarray, columns: Sequence[int]) -> np.ndarray:
        """Chosen terms × items, in standard deviations above each term's mean similarity."""
        assert self.vectors is not None
        cols = np.asarray(columns, dtype=np.int64)
        sims = self.vectors[cols] @ item_vectors.T
        sims -= self.mean[cols, None]
        sims /= self.std[cols, None]
        return sims.astype(np.float32, copy=False)


class _TermScores:
    """z-scores of every candidate for the terms a block needs: one matrix for all terms when it
    fits in memory (terms recur across blocks), else computed block by block. Also remembers, per
    term, the borderline items that contain the term verbatim."""

    def __init__(self, matrix: ItemMatrix, scale: TermScale) -> None:
        self.matrix = matrix
        self.scale = scale
        n_terms = len(scale.terms)
        fits = len(matrix.items) * n_terms * 4 <= FULL_SCORES_BYTES
        self.full = scale.z_scores(matrix.vectors, range(n_terms)) if fits and n_terms else None
        self.literal: dict[str, np.ndarray] = {}

    def block(self, terms: Sequence[str]) -> np.ndarray:
        """The given terms × items."""
        columns = [self.scale.index[t] for t in terms]
        if self.full is not None:
            return self.full[columns]
        return self.scale.z_scores(self.matrix.vectors, columns)

    def literal_rows(self, term: str, z: np.ndarray) -> np.ndarray:
        """Rows with Z_LITERAL ≤ z < Z_MIN whose text contains the term."""
        found = self.literal.get(term)
        if found is None:
            borderline = np.flatnonzero((z >= Z_LITERAL) & (z < Z_MIN))
            needle = term.lower()
            found = np.asarray(
                [r for r in borderline if needle in self.matrix.lower_text(int(r))], dtype=np.int64
            )
            self.literal[term] = found
        return found


def _blocks(profiles: Sequence[Profile]) -> Iterator[list[Profile]]:
    """Consecutive profiles, at most PROFILES_PER_BLOCK, whose distinct terms fit one block."""
    block: list[Profile] = []
    terms: set[str] = set()
    for profile in profiles:
        new = set(profile.terms) - terms
        if block and (len(terms) + len(new) > TERMS_PER_BLOCK or len(block) >= PROFILES_PER_BLOCK):
            yield block
            block, terms = [], set()
            new = set(profile.terms)
        block.append(profile)
        terms |= new
    if block:
        yield block


def distinct_terms(profiles: Iterable[Profile]) -> list[str]:
    """Every term any profile uses, once, in first-seen order."""
    return list(dict.fromkeys(term for p in profiles for term in p.terms))


def select_for_all(
    matrix: ItemMatrix, scale: TermScale, profiles: Sequence[Profile]
) -> dict[int, list[Pick]]:
    """Each profile's picks (profiles with nothing that qualifies are left out)."""
    out: dict[int, list[Pick]] = {}
    if not matrix.items:
        return out
    scores = _TermScores(matrix, scale)
    for block in _blocks(profiles):
        out.update(_select_block(matrix, scores, block))
    return out


@dataclass
class _Block:
    """Profiles × items matrices of one block (one row per subscriber)."""

    z: np.ndarray | None  # block terms × items
    local: dict[str, int]  # term -> row of z
    semantic: np.ndarray  # best z over each profile's terms
    close: np.ndarray  # semantically about one of the profile's terms
    industry: np.ndarray
    park: np.ndarray
    eastern: np.ndarray  # eastern achievement, for profiles on the east-to-Guangxi track
    new: np.ndarray  # created inside the profile's window


def _semantic(
    matrix: ItemMatrix, scores: _TermScores, block: Sequence[Profile]
) -> tuple[np.ndarray | None, dict[str, int], np.ndarray, np.ndarray]:
    n, p = len(matrix.items), len(block)
    semantic = np.full((p, n), -np.inf, dtype=np.float32)
    close = np.zeros((p, n), dtype=bool)
    terms = distinct_terms(block)
    if not terms:
        return None, {}, semantic, close
    local = {term: j for j, term in enumerate(terms)}
    z = scores.block(terms)
    strong = z >= Z_MIN
    for term, j in local.items():
        strong[j, scores.literal_rows(term, z[j])] = True
    width = max(len(profile.terms) for profile in block)
    rows = np.full((p, width), -1, dtype=np.int64)
    for col, profile in enumerate(block):
        rows[col, : len(profile.terms)] = [local[t] for t in profile.terms]
    for k in range(width):
        who = np.flatnonzero(rows[:, k] >= 0)
        if who.size:
            semantic[who] = np.maximum(semantic[who], z[rows[who, k]])
            close[who] |= strong[rows[who, k]]
    return z, local, semantic, close


def _select_block(
    matrix: ItemMatrix, scores: _TermScores, block: Sequence[Profile]
) -> dict[int, list[Pick]]:
    n, p = len(matrix.items), len(block)
    z, local, semantic, close = _semantic(matrix, scores, block)
    kinds = np.zeros((p, len(KINDS)), dtype=bool)
    eastern_only_ = np.zeros(p, dtype=bool)
    east_track = np.zeros(p, dtype=bool)
    since = np.empty(p, dtype=np.float64)
    wanted_industries = np.zeros((p, matrix.industries.shape[1]), dtype=np.float32)
    wanted_parks = np.zeros((p, matrix.parks.shape[1]), dtype=np.float32)
    for col, profile in enumerate(block):
        chosen = wanted_kinds(profile.tracks, profile.role)
        kinds[col, [KINDS.index(k) for k in chosen]] = True
        eastern_only_[col] = eastern_only(profile.tracks) and "achievement" in chosen
        east_track[col] = EAST_TO_GUANGXI in profile.tracks
        since[col] = profile.since.timestamp()
        for code in profile.industries:
            if code in matrix.industry_index:
                wanted_industries[col, matrix.industry_index[code]] = 1.0
        for park in profile.parks:
            if park in matrix.park_index:
                wanted_parks[col, matrix.park_index[park]] = 1.0
    allowed = kinds[:, matrix.kind]
    allowed &= ~(eastern_only_[:, None] & matrix.western_achievement[None, :])
    allowed &= since[:, None] < matrix.updated[None, :]
    parts = _Block(
        z=z,
        local=local,
        semantic=semantic,
        close=close,
        industry=(wanted_industries @ matrix.industries_t) > 0,
        park=(wanted_parks @ matrix.parks_t) > 0,
        eastern=east_track[:, None] & matrix.eastern_achievement[None, :],
        new=since[:, None] < matrix.created[None, :],
    )
    qualifies = (parts.close | parts.industry | parts.park) & allowed
    score = np.maximum(semantic, 0.0)  # -inf (no terms) becomes 0
    score *= WEIGHTS["semantic"] / 3.0
    np.minimum(score, SEM_CAP * WEIGHTS["semantic"], out=score)
    score += WEIGHTS["industry"] * parts.industry
    score += WEIGHTS["park"] * parts.park
    score += WEIGHTS["eastern"] * parts.eastern
    score += WEIGHTS["new"] * parts.new
    for col, profile in enumerate(block):
        excluded = [matrix.row_of[key] for key in profile.excluded if key in matrix.row_of]
        qualifies[col, excluded] = False
        if profile.rejected is not None and len(profile.rejected):
            duplicate, penalty = _rejections(matrix, profile)
            qualifies[col, duplicate] = False
            score[col] -= WEIGHTS["not_relevant"] * penalty
    score[~qualifies] = -np.inf
    depth = min(n, max(profile.max_items for profile in block))
    top = np.argpartition(-score, depth - 1, axis=1)[:, :depth] if depth < n else None
    out: dict[int, list[Pick]] = {}
    for col, profile in enumerate(block):
        best = top[col] if top is not None else np.arange(n)
        best = best[np.isfinite(score[col, best])]
        if not best.size:
            continue
        best = best[np.lexsort((best, -score[col, best]))][: profile.max_items]
        out[profile.id] = [_pick(matrix, parts, profile, col, int(r), score) for r in best]
    return out


def _rejections(matrix: ItemMatrix, profile: Profile) -> tuple[np.ndarray, np.ndarray]:
    """Re-posts of items the subscriber marked not relevant (same kind, near-identical vector),
    and a penalty for every item in proportion to its closeness to them."""
    assert profile.rejected is not None
    sims = matrix.vectors @ profile.rejected.T
    kinds = np.asarray([KINDS.index(k) for k in profile.rejected_kinds], dtype=np.int8)
    same_kind = matrix.kind[:, None] == kinds[None, :]
    duplicate = np.flatnonzero(((sims >= NEAR_DUPLICATE) & same_kind).any(axis=1))
    closest = sims.max(axis=1)
    penalty = np.clip((closest - CLOSE_TO_REJECTED) / 0.08, 0.0, 1.0).astype(np.float32)
    return duplicate, penalty


def _pick(
    matrix: ItemMatrix, parts: _Block, profile: Profile, col: int, row: int, score: np.ndarray
) -> Pick:
    item = matrix.items[row]
    term_z = None
    if parts.z is not None and profile.terms:
        term_z = [float(parts.z[parts.local[t], row]) for t in profile.terms]
    why = _reasons(
        item,
        matrix.lower_text(row),
        profile,
        term_z,
        bool(parts.close[col, row]),
        bool(parts.industry[col, row]),
        bool(parts.park[col, row]),
        bool(parts.eastern[col, row]),
    )
    is_new = bool(parts.new[col, row])
    return Pick(
        item.kind,
        item.id,
        item.title,
        tuple(why),
        tuple(reasons.tags(item, is_new, profile.language)),
        float(score[col, row]),
    )


def _reasons(
    item: ItemFacts,
    text: str,
    profile: Profile,
    term_z: list[float] | None,
    close: bool,
    in_industry: bool,
    in_park: bool,
    eastern: bool,
) -> list[str]:
    lang = profile.language
    out: list[str] = []
    if close and term_z is not None:
        ranked = sorted(zip(term_z, range(len(term_z)), strict=True), key=lambda zj: -zj[0])
        strong = [profile.terms[j] for zj, j in ranked if zj >= Z_LITERAL]
        literal = next((t for t in strong if t.lower() in text), None)
        out.append(reasons.term_reason(literal or strong[0], literal is not None, lang))
    if in_industry:
        shared = [c for c in profile.industries if c in item.industries]
        out.append(reasons.industry_reason(shared, lang))
    if in_park and item.park_name:
        out.append(reasons.park_reason(item.park_name, lang))
    if eastern:
        out.append(reasons.eastern_reason(item, lang))
    return out[: reasons.MAX_REASONS]
