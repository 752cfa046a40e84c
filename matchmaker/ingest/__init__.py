"""Importers: read CSV / XLSX / JSON Lines, map Chinese or English headers, validate, upsert all or nothing."""
