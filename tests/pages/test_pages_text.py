"""The web forms and page query strings read text through the boundary rule (core.text, lenient:
control characters are removed): any string (Hypothesis: arbitrary Unicode, NUL, huge, empty)
gives a page, never a 5xx; a refused form changes nothing, and what is stored is clean."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from matchmaker.events.models import Event
from tests.api.text_targets import fingerprint, stored_refused
from tests.pages.test_pages_client import HTML, seed

ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=40)
EDGES = st.sampled_from(["", " ", "\x00", "\r\n\t", "\u202e\u200b", "\ud800", "检" * 20_000])
EVENT_FORM = {
    "name": "测试对接会",
    "date": "2027-03-01",
    "venue": "会展中心",
    "description": "上午：对接",
    "am_start": "09:00",
    "am_end": "10:00",
    "slot_minutes": "20",
    "tables": "2",
    "default_max_meetings": "3",
    "min_meetings": "1",
    "small_min_meetings": "2",
}


@dataclass
class Pages:
    """A client over the pages' small world, logged in as an organiser, and its database."""

    client: TestClient
    keys: dict[str, str]
    engine: Engine

    def csrf(self) -> str:
        """The CSRF token of this session's forms."""
        found = re.search(r'name="csrf" value="([^"]+)"', self.client.get("/events/new").text)
        assert found is not None
        return found.group(1)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pages]:
    """The app over a fresh data directory, logged in as an organiser."""
    from matchmaker.core.config import get_settings
    from matchmaker.store.db import get_engine

    data_dir: Path = tmp_path_factory.mktemp("pages-text") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MATCHMAKER_DATA_DIR", str(data_dir))
        mp.setenv("MATCHMAKER_SECRET_KEY", "pages-text-secret")
        # the login fuzz fails hundreds of logins on purpose; the login limit has its own tests
        mp.setenv("MATCHMAKER_RATE_LIMITS", "false")
        mp.delenv("DATABASE_URL", raising=False)
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            keys, _ = seed()
            from api.main import create_app

            with TestClient(create_app()) as client:
                login = client.post(
                    "/login", data={"api_key": keys["organiser"]}, follow_redirects=False
                )
                assert login.status_code == 303
                yield Pages(client, keys, get_engine())
        finally:
            get_engine.cache_clear()
            get_settings.cache_clear()


def _encoded(form: dict[str, str]) -> bytes:
    """A URL-encoded form as a browser sends it (any code point, as UTF-8-style bytes)."""
    return "&".join(
        f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in form.items()
    ).encode("ascii")


def _post_form(pages: Pages, path: str, form: dict[str, str]) -> Any:
    return pages.client.post(
        path,
        content=_encoded(form),
        headers={**HTML, "Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )


def test_a_control_character_in_the_event_form_is_removed_not_stored(pages: Pages) -> None:
    form = {**EVENT_FORM, "csrf": pages.csrf(), "name": "南宁\x00对接会\x1b", "venue": "\u202e馆"}
    created = _post_form(pages, "/events", form)
    assert created.status_code == 303, created.text[:500]
    with pages.engine.connect() as conn:
        stored = conn.execute(select(Event.name, Event.venue).order_by(Event.id.desc())).first()
    assert stored is not None and tuple(stored) == ("南宁对接会", "馆")


def test_a_nul_in_the_search_box_shows_a_page(pages: Pages) -> None:
    page = pages.client.get("/?q=%00", headers=HTML)
    assert page.status_code == 200


def _fuzz(pages: Pages, send: Callable[[str], Any]) -> None:
    @given(value=st.one_of(ANY_TEXT, EDGES))
    @example(value="")
    @example(value="\x00")
    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(value: str) -> None:
        before = fingerprint(pages.engine)
        response = send(value)
        assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
        if response.status_code >= 400:
            assert fingerprint(pages.engine) == before, "a refused form changed the data"

    check()


@pytest.mark.parametrize("field", ["q", "kind", "industry", "region", "coop", "page"])
def test_any_search_query_string_gives_a_page(pages: Pages, field: str) -> None:
    def send(value: str) -> Any:
        value = value[:2000]  # what fits in a URL
        query = f"q=%E5%88%92%E7%97%95&{field}={quote(value.encode('utf-8', 'surrogatepass'))}"
        return pages.client.get(f"/?{query}", headers=HTML)

    _fuzz(pages, send)


@pytest.mark.parametrize("field", ["name", "venue", "description", "date", "tables", "am_start"])
def test_any_event_form_value_is_stored_clean_or_refused_changing_nothing(
    pages: Pages, field: str
) -> None:
    csrf = pages.csrf()
    _fuzz(
        pages,
        lambda value: _post_form(pages, "/events", {**EVENT_FORM, "csrf": csrf, field: value}),
    )
    assert stored_refused(pages.engine) == []


@pytest.mark.parametrize("field", ["api_key", "next"])
def test_any_login_form_value_is_answered_without_a_server_error(pages: Pages, field: str) -> None:
    form = {"api_key": "mm_wrong", "next": "/"}
    try:
        _fuzz(pages, lambda value: _post_form(pages, "/login", {**form, field: value}))
    finally:  # the login attempts logged this client out: log the organiser back in
        again = pages.client.post(
            "/login", data={"api_key": pages.keys["organiser"]}, follow_redirects=False
        )
        assert again.status_code == 303


@pytest.mark.parametrize("field", ["reason", "track", "source_kind", "target_kind"])
def test_any_feedback_form_value_is_answered_without_a_server_error(
    pages: Pages, field: str
) -> None:
    csrf = pages.csrf()
    form = {"csrf": csrf, "next": "/", "source_kind": "need", "source_id": "1", "target_id": "1"}
    _fuzz(
        pages,
        lambda value: _post_form(
            pages, "/feedback", {**form, "target_kind": "achievement", field: value}
        ),
    )
    assert stored_refused(pages.engine) == []


ACCOUNT_FORMS = {
    "/signup": {
        "email": "fuzz@example.cn",
        "name": "模糊测试",
        "password": "模糊测试-密码-2026",
        "password2": "模糊测试-密码-2026",
    },
    "/login": {"email": "fuzz@example.cn", "password": "模糊测试-密码-2026", "next": "/"},
    "/account/forgot": {"email": "fuzz@example.cn"},
    "/account/verify/resend": {"email": "fuzz@example.cn"},
    "/account/reset": {"token": "x", "password": "新密码-模糊测试-2026", "password2": "x"},
}


@pytest.mark.parametrize(
    ("path", "field"), [(path, field) for path, form in ACCOUNT_FORMS.items() for field in form]
)
def test_any_account_form_value_is_answered_without_a_server_error(
    pages: Pages, path: str, field: str
) -> None:
    form = ACCOUNT_FORMS[path]
    _fuzz(pages, lambda value: _post_form(pages, path, {**form, field: value}))


@pytest.mark.parametrize("path", ["/account/verify", "/account/reset"])
def test_any_link_token_gives_a_page(pages: Pages, path: str) -> None:
    def send(value: str) -> Any:
        token = quote(value[:2000].encode("utf-8", "surrogatepass"))
        return pages.client.get(f"{path}?token={token}", headers=HTML)

    _fuzz(pages, send)
