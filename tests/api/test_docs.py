"""/docs and /redoc load every asset from this server (no CDN: blank offline and unreliable in
mainland China before), with no inline script so a strict Content-Security-Policy can apply."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.api.conftest import Api


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_documentation_pages_load_only_local_assets(api: Api, page: str) -> None:
    html = api.client.get(page)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="([^"]+)"', html.text)
    assert assets, "the page loads its scripts and styles"
    for url in assets:
        assert url.startswith("/"), f"{page} loads {url} from another host"
        fetched = api.client.get(url)
        assert fetched.status_code == 200 and len(fetched.content) > 100, url
    assert not re.search(r"<script>(?!</script>)", html.text), "no inline script"
    assert "cdn" not in html.text.lower() and "googleapis" not in html.text


def test_docs_init_script_ships_with_the_package() -> None:
    import api

    assert (Path(api.__file__).parent / "static" / "docs" / "swagger-init.js").is_file()
