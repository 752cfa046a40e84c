"""Plain data types for a matchmaking event: the problem given to the planner and the plan it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ParticipantId = str | int
"""Participant ids are kept exactly as given (a JSON string or integer)."""


class EventInputError(ValueError):
    """The event description is wrong in a way the user can fix; the message names the field/row."""


@dataclass(frozen=True)
class Participant:
    """One organisation at the event."""

    id: ParticipantId
    max_meetings: int
    unavailable_slots: frozenset[int] = frozenset()
    small: bool = False
    min_meetings: int | None = None
    name: str | None = None
    # Soft: slots this participant would rather meet in (None: no preference). A meeting outside
    # them costs ``EventProblem.preferred_weight`` in placement, never makes the plan invalid.
    preferred_slots: frozenset[int] | None = None


@dataclass(frozen=True)
class ScoredPair:
    """A pair that may meet, with the recommender's score for the meeting."""

    a: ParticipantId
    b: ParticipantId
    score: float


@dataclass(frozen=True)
class PairRef:
    """An unordered pair of participants (must-meet / never-meet rows)."""

    a: ParticipantId
    b: ParticipantId


@dataclass(frozen=True)
class Meeting:
    """A scheduled meeting: who, when (slot) and where (table)."""

    a: ParticipantId
    b: ParticipantId
    slot: int
    table: int
    score: float = 0.0


@dataclass(frozen=True)
class Fairness:
    """Soft minimum number of meetings per participant so small institutions are not crowded out.

    Every participant with at least one possible partner should get
    ``min(floor, effective capacity, number of possible partners)`` meetings, where ``floor`` is
    ``min_meetings`` (or ``small_min_meetings`` for participants flagged ``small``, or the
    participant's own ``min_meetings``). Each missing meeting costs ``weight`` × the highest score.
    """

    min_meetings: int = 1
    small_min_meetings: int = 2
    weight: float = 4.0


@dataclass
class EventProblem:
    """Everything the planner needs: the grid (slots × tables), who comes, and who may meet whom."""

    slots: int
    tables: int
    participants: list[Participant]
    scores: list[ScoredPair]
    must_meet: list[PairRef] = field(default_factory=list)
    never_meet: list[PairRef] = field(default_factory=list)
    locked: list[Meeting] = field(default_factory=list)
    previous: list[Meeting] = field(default_factory=list)
    fairness: Fairness = field(default_factory=Fairness)
    slot_labels: list[str] | None = None
    # Humane schedules: nobody has more than this many meetings in consecutive slots (None: no
    # cap); a pause after a slot (lunch, a break) ends a run of consecutive slots.
    max_back_to_back: int | None = None
    pauses_after: frozenset[int] = frozenset()
    # "compact": meetings packed into the first slots; "spread": the whole day is used, each slot
    # holding about the same number of meetings (the afternoon is used when the morning is not
    # needed). Soft preferred windows weigh ``preferred_weight`` per meeting side outside them.
    placement: str = "compact"
    preferred_weight: float = 4.0


@dataclass(frozen=True)
class UnmetPair:
    """A must-meet pair the plan could not honour, with the reason."""

    a: ParticipantId
    b: ParticipantId
    reason: str
    message: str


@dataclass
class Plan:
    """The planner's answer: the meetings, their total score and what could not be done."""

    meetings: list[Meeting]
    objective: float
    unmet_must_meet: list[UnmetPair] = field(default_factory=list)
    dropped: list[ScoredPair] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
