"""科技金融 over HTTP: the products and the ones that fit an item, for any key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matchmaker.catalog.importer.service import import_file
from tests.catalog.importer.test_import import write_dict_csv
from tests.finance.test_finance import PRODUCTS


def test_the_api_lists_products_and_the_ones_that_fit_an_item(api: Any, tmp_path: Path) -> None:
    from matchmaker.store.db import session_scope

    with session_scope() as s:
        import_file(s, "finance", write_dict_csv(tmp_path / "f.csv", PRODUCTS))
    h = api.as_("reader")
    listed = api.client.get("/api/v1/finance-products", headers=h).json()
    assert listed["total"] == 3
    icv = api.client.get("/api/v1/finance-products?industry=智能网联汽车", headers=h).json()
    assert [p["external_id"] for p in icv["items"]] == ["F-1", "F-2"]  # F-2 is for any industry
    wrong = api.client.get("/api/v1/finance-products?industry=火星采矿", headers=h)
    assert wrong.status_code == 422
    fits = api.client.get(
        f"/api/v1/finance-products/matches/achievement/{api.ids['ach']}", headers=h
    )
    assert fits.status_code == 200 and all(m["reasons"] for m in fits.json())
    missing = api.client.get("/api/v1/finance-products/matches/need/999999", headers=h)
    assert missing.status_code == 404
    assert api.client.get("/api/v1/finance-products").status_code == 401
