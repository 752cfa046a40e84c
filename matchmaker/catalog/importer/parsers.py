"""The value parsers under their old import path (events code still imports them from here); they
live in `matchmaker.catalog.parsers`, shared by the importer, the API schemas and the forms."""

from matchmaker.catalog.parsers import (
    is_blank,
    parse_amount,
    parse_coop_modes,
    parse_date,
    parse_industries,
    parse_ipr,
    parse_list,
    parse_org_kind,
    parse_park_level,
    parse_province,
    parse_range,
    parse_size,
    parse_status,
    parse_text,
    parse_trl,
)

__all__ = [
    "is_blank",
    "parse_amount",
    "parse_coop_modes",
    "parse_date",
    "parse_industries",
    "parse_ipr",
    "parse_list",
    "parse_org_kind",
    "parse_park_level",
    "parse_province",
    "parse_range",
    "parse_size",
    "parse_status",
    "parse_text",
    "parse_trl",
]
