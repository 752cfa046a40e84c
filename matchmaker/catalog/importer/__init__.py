"""Importers: read CSV / XLSX / JSON Lines, map Chinese or English headers, validate, upsert all or nothing."""

from __future__ import annotations

# Import kinds other areas add (e.g. digest subscriptions), so `matchmaker import KIND FILE` serves
# them with the same rules: name typed by the user (lower case) -> (canonical kind, "module:function").
# The function takes (session, rows, *, skip_invalid) and returns an ImportReport; it is imported
# only when used, so registering costs nothing at start-up.
EXTRA_KINDS: dict[str, tuple[str, str]] = {}


def register_import_kind(kind: str, importer: str, aliases: tuple[str, ...] = ()) -> None:
    """Let another area serve `matchmaker import <kind> FILE` with its own validator and writer."""
    for name in (kind, *aliases):
        EXTRA_KINDS[name.strip().lower()] = (kind, importer)


def is_extra_kind(kind: str) -> bool:
    """Whether a canonical kind comes from another area (it holds no searchable items)."""
    return any(canonical == kind for canonical, _ in EXTRA_KINDS.values())


# 科技金融驿站: financial products are imported with the same rules (matchmaker/finance).
register_import_kind(
    "finance-products",
    "matchmaker.finance.importer:import_products",
    ("finance", "金融产品", "科技金融", "科技金融产品"),
)
