"""Demo API keys: one per role, created once and written to a private file for trying the API."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.store.auth import ROLES, ApiKey, create_key
from matchmaker.store.models import Organisation, Park


def write_demo_keys(session: Session, path: Path) -> Path | None:
    """Create one demo key per role (the enterprise key acts for the first enterprise) and write
    them to `path`, readable by the owner only; on later runs nothing is created and the existing
    file (if any) is returned."""
    if session.scalars(select(ApiKey).where(ApiKey.name.like("demo-%"))).first() is not None:
        return path if path.exists() else None
    enterprise = session.scalars(
        select(Organisation).where(Organisation.kind == "enterprise").order_by(Organisation.id)
    ).first()
    park = session.scalars(select(Park).order_by(Park.id)).first()
    lines = []
    for role in ROLES:
        org_id = enterprise.id if role == "enterprise" and enterprise else None
        park_id = park.id if role == "park_staff" and park else None
        if (role == "enterprise" and org_id is None) or (role == "park_staff" and park_id is None):
            continue
        key = create_key(
            session, name=f"demo-{role}", role=role, organisation_id=org_id, park_id=park_id
        )
        suffix = f"  # {enterprise.name}" if role == "enterprise" and enterprise else ""
        if role == "park_staff" and park:
            suffix = f"  # {park.name}"
        lines.append(f"{role}\t{key}{suffix}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    return path
