"""Tables of person accounts, organisation requests and the review history of self-published items."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.store.models import Base, UTCDateTime, utcnow

# A person's platform role (what they are beyond their organisation).
USER_ROLES: dict[str, str] = {
    "member": "机构成员",
    "park_staff": "园区工作人员",
    "organiser": "活动组织者",
    "admin": "平台管理员",
}
ORG_ROLES: dict[str, str] = {"admin": "机构管理员", "member": "机构成员"}
MEMBERSHIPS: dict[str, str] = {"pending": "待审批", "active": "已加入"}
REQUEST_STATUSES: dict[str, str] = {"pending": "待审批", "approved": "已批准", "declined": "未批准"}


class User(Base):
    """A person who signs in with e-mail and password; belongs to at most one organisation."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="member")
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    org_role: Mapped[str | None] = mapped_column(String(16))  # admin | member
    membership: Mapped[str | None] = mapped_column(String(16))  # pending | active
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def verified(self) -> bool:
        """Whether the person has clicked the link sent to their address."""
        return self.email_verified_at is not None

    @property
    def principal(self) -> str:
        """The principal name the policy and stored records use ("user:7")."""
        return f"user:{self.id}"


class OrganisationRequest(Base):
    """A new organisation asked for by its first member, approved or declined by park staff."""

    __tablename__ = "organisation_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    province: Mapped[str] = mapped_column(String(32))
    city: Mapped[str | None] = mapped_column(String(64))
    park_id: Mapped[int | None] = mapped_column(
        ForeignKey("parks.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ItemReview(Base):
    """One step of a self-published item's review: submitted, published or sent back (comment)."""

    __tablename__ = "item_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(16))  # submitted | published | returned | edited
    comment: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


INTRO_STATUSES: dict[str, str] = {
    "requested": "待回复",
    "accepted": "已接受",
    "declined": "已婉拒",
    "met": "已见面",
    "signed": "已签约",
}


class Introduction(Base):
    """A consented introduction: a member asks the owner of an item to be introduced, on behalf
    of one of its own organisation's items; contact details are shown to each side only once the
    other side accepted. Each step is dated and stored as pair feedback (funnel, re-ranker)."""

    __tablename__ = "introductions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    from_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    to_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    # The requester's own item the request came from (None when its organisation had none that
    # pairs with the target) and the track of the pair the two items form.
    source_kind: Mapped[str | None] = mapped_column(String(16))
    source_id: Mapped[int | None] = mapped_column(Integer)
    track: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    met_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


__all__ = [
    "INTRO_STATUSES",
    "Introduction",
    "MEMBERSHIPS",
    "ORG_ROLES",
    "REQUEST_STATUSES",
    "USER_ROLES",
    "ItemReview",
    "OrganisationRequest",
    "User",
]
