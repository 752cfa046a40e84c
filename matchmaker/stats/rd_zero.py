"""Policy measure (1) 规上工业企业研发机构和研发活动"双清零": the park's regulated industrial firms
(规上工业企业) without R&D activity or without an R&D institution, each with university and
institute achievements that fit its products, and how far the park's introductions for it got.

Park staff import the firms as organisations with the columns 规上工业企业, 研发机构, 研发活动
(`docs/import-format.md`); re-importing a firm that now reports both takes it off the list and
counts it as cleared. Partners come from the one search by need (`SearchService`): the firm's
profile is the query, achievements of universities and research institutes are the results, and
results sharing no word with the profile are left out (close in meaning only). Introductions made
from the list are the park's "contacted" feedback on the east-to-Guangxi pair, noted with the
firm (`INTRO_NOTE`), so the funnel counts them and the list shows the furthest stage reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.retrieval.explain import Reason
from matchmaker.retrieval.search import SearchRequest, SearchService
from matchmaker.stats.funnel import ACTION_STAGE, STAGES
from matchmaker.store.feedback import PairFeedback
from matchmaker.store.models import Organisation

PARTNER_KINDS = ("university", "research_institute")
PARTNERS = 3
POOL = 30  # search results looked at to find the partners
QUERY_CHARS = 200
INTRO_NOTE = "双清零 企业#{id}"


@dataclass
class Partner:
    """An achievement of a university or institute that fits the firm, with the search's reasons."""

    achievement_id: int
    title: str
    owner: str
    province: str
    trl: int | None
    score: float
    why: list[Reason]  # the search's reasons (worded by the page in the reader's language)


@dataclass
class RdFirm:
    """A regulated firm of the park lacking R&D activity or an R&D institution."""

    id: int
    name: str
    description: str
    rd_institution: bool | None
    rd_activity: bool | None
    partners: list[Partner] = field(default_factory=list)
    stage: str | None = None  # furthest funnel stage of the introductions made for it
    introductions: int = 0


@dataclass
class RdZeroReport:
    """The park's regulated firms by R&D status, and the ones still to clear."""

    regulated: int
    without_activity: int
    without_institution: int
    without_both: int
    cleared: int
    unreported: int
    firms: list[RdFirm]


def intro_note(firm_id: int, name: str) -> str:
    """The note an introduction for a 双清零 firm carries (how the list finds it again)."""
    return INTRO_NOTE.format(id=firm_id) + f"：{name}"


def _progress(session: Session, park_id: int) -> dict[int, tuple[int, int]]:
    """Per firm id: (furthest stage index, introductions made) from the park's feedback."""
    rows = session.execute(
        select(PairFeedback.note, PairFeedback.action).where(
            PairFeedback.source_kind == "park",
            PairFeedback.source_id == park_id,
            PairFeedback.note.like("双清零 企业#%"),
        )
    ).all()
    out: dict[int, tuple[int, int]] = {}
    for note, action in rows:
        number = (note or "").removeprefix("双清零 企业#").split("：", 1)[0]
        if not number.isdigit():
            continue
        stage, count = out.get(int(number), (0, 0))
        out[int(number)] = (
            max(stage, ACTION_STAGE.get(action, 0)),
            count + (action == "contacted"),
        )
    return out


def partners_for(
    session: Session, search: SearchService, firm: Organisation, limit: int = PARTNERS
) -> list[Partner]:
    """University and institute achievements that fit the firm's profile, best first."""
    query = (firm.description or firm.name)[:QUERY_CHARS]
    result = search.search(session, SearchRequest(query=query, kind="achievement", limit=POOL))
    out: list[Partner] = []
    for found in result.items:
        org = found.explanation.organisation
        if org is None or org.kind not in PARTNER_KINDS or found.explanation.weak:
            continue
        item = found.item
        out.append(
            Partner(
                item.id,
                getattr(item, "title", ""),
                org.name,
                org.province,
                getattr(item, "trl", None),
                found.hit.score,
                list(found.explanation.reasons[:3]),
            )
        )
        if len(out) >= limit:
            break
    return out


def rd_zero_report(
    session: Session, park_id: int, search: SearchService | None = None
) -> RdZeroReport:
    """The park's regulated firms without R&D activity or institution (partners when a search
    service is given), with counts of the whole regulated population."""
    firms = list(
        session.scalars(
            select(Organisation)
            .where(Organisation.park_id == park_id, Organisation.regulated.is_(True))
            .order_by(Organisation.name)
        )
    )
    progress = _progress(session, park_id)
    listed: list[RdFirm] = []
    for org in firms:
        if org.rd_activity is True and org.rd_institution is True:
            continue
        if org.rd_activity is None and org.rd_institution is None:
            continue
        stage, count = progress.get(org.id, (0, 0))
        entry = RdFirm(
            org.id,
            org.name,
            org.description or "",
            org.rd_institution,
            org.rd_activity,
            stage=STAGES[stage] if count else None,
            introductions=count,
        )
        if search is not None:
            entry.partners = partners_for(session, search, org)
        listed.append(entry)
    listed.sort(key=lambda f: (f.rd_activity is not False, f.rd_institution is not False, f.name))
    return RdZeroReport(
        regulated=len(firms),
        without_activity=sum(1 for f in firms if f.rd_activity is False),
        without_institution=sum(1 for f in firms if f.rd_institution is False),
        without_both=sum(1 for f in firms if f.rd_activity is False and f.rd_institution is False),
        cleared=sum(1 for f in firms if f.rd_activity is True and f.rd_institution is True),
        unreported=sum(1 for f in firms if f.rd_activity is None and f.rd_institution is None),
        firms=listed,
    )
