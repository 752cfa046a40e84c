"""API keys: stored only as hashes, each with a role and (for enterprise keys) an organisation
or (for park staff) a park."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from matchmaker.store.models import Base, UTCDateTime, utcnow

ROLES: dict[str, str] = {
    "admin": "管理员",
    "organiser": "活动组织者",
    "enterprise": "企业",
    "reader": "只读用户",
    "park_staff": "园区工作人员",
}
KEY_PREFIX = "mm_"


class ApiKey(Base):
    """One API key: its hash, role, optional organisation, and whether it was revoked."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


def hash_key(key: str) -> str:
    """The stored form of a key (keys are 256-bit random, so a plain SHA-256 is enough)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(
    session: Session,
    *,
    name: str,
    role: str,
    organisation_id: int | None = None,
    park_id: int | None = None,
) -> str:
    """Create a key and return its plain text — the only time it is ever visible."""
    if role not in ROLES:
        raise ValueError(f"未知角色“{role}”，可选：{', '.join(ROLES)} / unknown role")
    if role == "enterprise" and organisation_id is None:
        raise ValueError("企业密钥必须绑定机构 / an enterprise key needs an organisation")
    if role == "park_staff" and park_id is None:
        raise ValueError("园区工作人员密钥必须绑定园区 / a park_staff key needs a park")
    if role != "park_staff" and park_id is not None:
        raise ValueError("只有园区工作人员密钥可以绑定园区 / only park_staff keys name a park")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            name=name,
            key_hash=hash_key(key),
            role=role,
            organisation_id=organisation_id,
            park_id=park_id,
        )
    )
    session.flush()
    return key


def find_key(session: Session, key: str) -> ApiKey | None:
    """The active key record for a presented key, or None."""
    found = session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(key))).first()
    if found is None or found.revoked_at is not None:
        return None
    return found


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, oldest first (their hashes only: secrets are never stored)."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_key(session: Session, key_id: int) -> ApiKey:
    """Revoke a key so it no longer authenticates; NotFound for an unknown id."""
    from matchmaker.core.errors import NotFound

    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"密钥 {key_id} 不存在 / no such key")
    key.revoked_at = utcnow()
    session.flush()
    return key
