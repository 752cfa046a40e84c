"""Short reasons a subscriber reads beside each item ("why am I getting this?"), Chinese or English."""

from __future__ import annotations

from collections.abc import Sequence

from matchmaker.core.messages import label, t
from matchmaker.digest.candidates import ItemFacts

MAX_REASONS = 3


def term_reason(term: str, literal: bool, language: str) -> str:
    """The interest term an item matched, quoted; 'mentions' when the text contains it verbatim."""
    return t(
        "digest.reason.term_literal" if literal else "digest.reason.term_close", language, term=term
    )


def industry_reason(codes: Sequence[str], language: str) -> str:
    """The subscriber's industries the item belongs to."""
    names = ("、" if language != "en" else ", ").join(label("industry", c, language) for c in codes)
    return t("digest.reason.industry", language, names=names)


def park_reason(park_name: str, language: str) -> str:
    """The subscriber's park the item is in."""
    return t("digest.reason.park", language, park=park_name)


def eastern_reason(item: ItemFacts, language: str) -> str:
    """An achievement from an eastern R&D source (the east-to-Guangxi track)."""
    return t("digest.reason.eastern", language, province=item.province, owner=item.owner)


def tags(item: ItemFacts, is_new: bool, language: str) -> list[str]:
    """New or updated, and the deadline when there is one."""
    out = [t("digest.tag.new" if is_new else "digest.tag.updated", language)]
    if item.deadline is not None:
        out.append(t("digest.tag.deadline", language, date=item.deadline.isoformat()))
    return out
