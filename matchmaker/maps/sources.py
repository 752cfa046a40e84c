"""Read from the database what a park map matches: the park's firms and their items, and the
achievements and organisations that could fill a gap."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matchmaker.core.vocab import is_eastern, is_guangxi
from matchmaker.maps.vectors import org_text
from matchmaker.store.models import Achievement, Need, Organisation, Park

RESEARCH_KINDS = ("university", "research_institute")


@dataclass(frozen=True)
class Firm:
    """An organisation as a map shows it."""

    id: int
    external_id: str
    name: str
    kind: str
    province: str
    city: str | None
    park_id: int | None

    @property
    def eastern(self) -> bool:
        """Sits in an eastern R&D region (北上广 etc.)."""
        return is_eastern(self.province)

    @property
    def guangxi(self) -> bool:
        """Sits in Guangxi."""
        return is_guangxi(self.province)


@dataclass(frozen=True)
class Piece:
    """One text a map matches against a link: a need, an achievement or a firm's own profile."""

    kind: str  # need | achievement | profile
    id: int
    external_id: str
    title: str
    text: str
    org_id: int
    trl: int | None = None
    coop_modes: tuple[str, ...] = ()


@dataclass
class ParkEvidence:
    """The park and what its enterprises say about themselves (profiles, needs, achievements)."""

    park: Park
    firms: dict[int, Firm]
    pieces: list[Piece]


@dataclass
class CandidatePool:
    """Who could fill a gap: active achievements from outside the park's firms, eastern
    enterprises and Guangxi universities and institutes (with their achievements as evidence)."""

    orgs: dict[int, Firm]
    achievements: list[Piece]
    profiles: list[Piece]  # one per eastern enterprise / Guangxi research organisation


def _firm(org: Organisation) -> Firm:
    return Firm(org.id, org.external_id, org.name, org.kind, org.province, org.city, org.park_id)


def _profile(org: Organisation) -> Piece:
    return Piece(
        "profile",
        org.id,
        org.external_id,
        "企业/机构简介",
        org_text(org.name, org.description),
        org.id,
    )


def _achievement(item: Achievement) -> Piece:
    return Piece(
        item.kind,
        item.id,
        item.external_id,
        item.title,
        item.embedding_text(),
        item.owner_id,
        trl=item.trl,
        coop_modes=tuple(item.coop_modes or ()),
    )


def park_evidence(session: Session, park: Park) -> ParkEvidence:
    """The park's enterprises with their profiles, needs (any status but draft) and achievements."""
    orgs = {
        org.id: org
        for org in session.scalars(
            select(Organisation).where(
                Organisation.park_id == park.id, Organisation.kind == "enterprise"
            )
        )
    }
    needs = list(
        session.scalars(
            select(Need).where(
                or_(Need.park_id == park.id, Need.enterprise_id.in_(list(orgs) or [-1])),
                Need.status != "draft",
            )
        )
    )
    # a need filed for this park by an enterprise registered elsewhere still counts for the park
    missing = {n.enterprise_id for n in needs if n.enterprise_id not in orgs}
    if missing:
        for org in session.scalars(select(Organisation).where(Organisation.id.in_(missing))):
            if org.kind == "enterprise":
                orgs[org.id] = org
    pieces = [_profile(org) for org in orgs.values()]
    pieces.extend(
        Piece(
            n.kind,
            n.id,
            n.external_id,
            n.title,
            n.embedding_text(),
            n.enterprise_id,
            trl=n.min_trl,
            coop_modes=tuple(n.coop_modes or ()),
        )
        for n in needs
        if n.enterprise_id in orgs
    )
    if orgs:
        pieces.extend(
            _achievement(a)
            for a in session.scalars(
                select(Achievement).where(
                    Achievement.owner_id.in_(list(orgs)), Achievement.status != "draft"
                )
            )
        )
    return ParkEvidence(park, {i: _firm(o) for i, o in orgs.items()}, pieces)


def candidate_pool(session: Session, exclude_orgs: set[int]) -> CandidatePool:
    """Active achievements of anyone but the excluded firms; eastern enterprises and Guangxi
    universities and institutes as organisations."""
    orgs: dict[int, Organisation] = {o.id: o for o in session.scalars(select(Organisation))}
    achievements = [
        _achievement(a)
        for a in session.scalars(select(Achievement).where(Achievement.status == "active"))
        if a.owner_id not in exclude_orgs
    ]
    fillers = [
        org
        for org in orgs.values()
        if org.id not in exclude_orgs
        and (
            (org.kind == "enterprise" and is_eastern(org.province))
            or (org.kind in RESEARCH_KINDS and is_guangxi(org.province))
        )
    ]
    owners = {a.org_id for a in achievements}
    keep = {o.id for o in fillers} | owners
    return CandidatePool(
        orgs={i: _firm(o) for i, o in orgs.items() if i in keep},
        achievements=achievements,
        profiles=[_profile(org) for org in fillers],
    )
