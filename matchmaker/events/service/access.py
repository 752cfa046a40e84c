"""Who sees what of an event: organisers and readers see everything but organisers alone see pair
rules (never-meet rules are confidential); an enterprise sees only its own meetings and agenda,
and only at events its organisation attends."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from matchmaker.events.models import Event, EventParticipant
from matchmaker.events.service.errors import Forbidden
from matchmaker.events.service.participants import participant_of_organisation

ORGANISERS = frozenset({"admin", "organiser"})
FULL_READERS = frozenset({"admin", "organiser", "reader"})


class NotParticipant(Forbidden):
    """An enterprise asked for an event its organisation does not attend."""

    def __init__(self) -> None:
        super().__init__(
            "本机构不是该活动的参会方 / your organisation is not a participant of this event"
        )


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the role of their key and, for an enterprise, its organisation."""

    role: str
    organisation_id: int | None = None

    @property
    def organises(self) -> bool:
        """Whether the viewer sets up and plans events (and may see pair rules)."""
        return self.role in ORGANISERS

    @property
    def full_reader(self) -> bool:
        """Whether the viewer sees whole plans and exports, not just its own agenda."""
        return self.role in FULL_READERS


def own_participant(session: Session, event: Event, viewer: Viewer) -> EventParticipant | None:
    """The participant the viewer's organisation is at this event, if any."""
    if viewer.organisation_id is None:
        return None
    return participant_of_organisation(session, event, viewer.organisation_id)


def own_scope(session: Session, event: Event, viewer: Viewer) -> int | None:
    """None when the viewer sees the whole event, else its own participant's id (NotParticipant
    when its organisation is not at the event)."""
    if viewer.full_reader:
        return None
    row = own_participant(session, event, viewer)
    if row is None:
        raise NotParticipant()
    return row.id


def check_full_reader(viewer: Viewer) -> None:
    """Refuse whole-plan views and exports to a viewer that may see only its own agenda."""
    if not viewer.full_reader:
        raise Forbidden(
            f"角色 {viewer.role} 只能查看本机构的日程 / role {viewer.role} sees only its own agenda"
        )


def check_agenda(session: Session, event: Event, viewer: Viewer, participant_id: int) -> None:
    """Refuse another participant's agenda to an enterprise (its own is fine)."""
    own = own_scope(session, event, viewer)
    if own is not None and own != participant_id:
        raise Forbidden("只能查看本机构的日程 / you may see only your own agenda")
