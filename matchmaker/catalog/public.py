"""Records as their Public schemas show them, hiding contact details from callers who may not see them."""

from __future__ import annotations

from typing import Any

from matchmaker.catalog.access import Actor
from matchmaker.store.models import Achievement, Need, Organisation, Park, Scenario


def item_public(item: Achievement | Need | Scenario, *, sees_contacts: bool) -> dict[str, Any]:
    """The public form of an achievement, need or scenario."""
    base: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "external_id": item.external_id,
        "title": item.title,
        "keywords": item.keywords or [],
        "industries": item.industries or [],
        "status": item.status,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "contact": (
            {"name": item.contact_name, "phone": item.contact_phone, "email": item.contact_email}
            if sees_contacts
            else None
        ),
    }
    if isinstance(item, Achievement):
        base |= {
            "summary": item.summary,
            "trl": item.trl,
            "ipr_status": item.ipr_status,
            "patent_numbers": item.patent_numbers or [],
            "coop_modes": item.coop_modes or [],
            "price_min": item.price_min,
            "price_max": item.price_max,
            "applications": item.applications,
            "owner_id": item.owner_id,
            "owner_name": item.owner.name,
        }
    elif isinstance(item, Need):
        base |= {
            "description": item.description,
            "min_trl": item.min_trl,
            "budget_min": item.budget_min,
            "budget_max": item.budget_max,
            "deadline": item.deadline,
            "coop_modes": item.coop_modes or [],
            "enterprise_id": item.enterprise_id,
            "enterprise_name": item.enterprise.name,
            "park_id": item.park_id,
        }
    else:
        base |= {
            "description": item.description,
            "capabilities": item.capabilities or [],
            "budget_min": item.budget_min,
            "budget_max": item.budget_max,
            "deadline": item.deadline,
            "park_id": item.park_id,
            "owner_id": item.owner_id,
        }
    return base


def organisation_public(org: Organisation) -> dict[str, Any]:
    """The public form of an organisation."""
    return {
        "id": org.id,
        "external_id": org.external_id,
        "name": org.name,
        "kind": org.kind,
        "province": org.province,
        "city": org.city,
        "size": org.size,
        "park_id": org.park_id,
        "industries": org.industries or [],
        "description": org.description,
        "is_eastern": org.is_eastern,
    }


def park_public(park: Park) -> dict[str, Any]:
    """The public form of a park."""
    return {
        "id": park.id,
        "external_id": park.external_id,
        "name": park.name,
        "level": park.level,
        "province": park.province,
        "city": park.city,
        "industries": park.industries or [],
        "description": park.description,
    }


def record_public(record: Any, actor: Actor) -> dict[str, Any]:
    """The public form of any catalogue record, as this caller may see it."""
    if isinstance(record, Park):
        return park_public(record)
    if isinstance(record, Organisation):
        return organisation_public(record)
    return item_public(record, sees_contacts=actor.sees_contacts)
