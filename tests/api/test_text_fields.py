"""Every text field of the API (items, search, events, digest, maps and parks), found from the
app's own OpenAPI document: NUL and control characters are refused naming the field, and
arbitrary Unicode, huge and empty strings (Hypothesis) never cause a 5xx, change nothing when
refused and are stored clean when accepted."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import Engine, update

from matchmaker.store.models import Park
from tests.api.conftest import seed_world
from tests.api.text_targets import (
    Target,
    fingerprint,
    refused_in,
    send,
    stored_refused,
    targets,
    valid_bodies,
)

EXAMPLES_PER_FIELD = 6
SVG_TITLE = "{http://www.w3.org/2000/svg}title"
HUGE = "检" * 100_000
URL_TEXT_MAX = 2_000  # characters; 18 KB once percent-encoded
# Any code point at all: controls, NUL, lone surrogates, non-characters, bidi, private use.
ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=40)
EDGES = st.sampled_from(
    ["", " ", "\x00", "\t\r\n", "\u202e\u200b", "\ud800", "\uffff", "a\x1bb", HUGE, "=1+1", "é"]
)


@dataclass
class TextWorld:
    """The app over the seed world plus one of everything a text field belongs to."""

    client: TestClient
    ids: dict[str, int]
    headers: dict[str, str]
    engine: Engine
    found: list[Target]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TextWorld]:
    """One app for the module: the seed world, a scenario, an event with two participants and a
    subscription, and the list of every text field of the API."""
    from matchmaker.core.config import get_settings
    from matchmaker.store.db import get_engine

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MATCHMAKER_DATA_DIR", str(tmp_path_factory.mktemp("text-fields") / "data"))
        patch.setenv("SMTP_PORT", "9")  # nothing listens: confirmations fail quietly and fast
        patch.delenv("DATABASE_URL", raising=False)
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            from api.main import create_app

            keys, ids = seed_world()
            app = create_app()
            with TestClient(app) as client:
                headers = {"X-API-Key": keys["admin"]}
                ids.update(_more_world(client, headers, ids))
                found = targets(app.openapi(), set(valid_bodies(ids)))
                yield TextWorld(client, ids, headers, get_engine(), found)
        finally:
            get_engine.cache_clear()
            get_settings.cache_clear()


def _created(response: Any) -> int:
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _more_world(client: TestClient, headers: dict[str, str], ids: dict[str, int]) -> dict[str, int]:
    post = lambda url, body: _created(client.post(url, json=body, headers=headers))  # noqa: E731
    bodies = valid_bodies(ids)
    event = post("/api/v1/events", bodies[("POST", "/api/v1/events")]())
    people = [
        post(f"/api/v1/events/{event}/participants", {"organisation_id": ids[key]})
        for key in ("ent", "uni")
    ]
    return {
        "scenario": post("/api/v1/scenarios", bodies[("POST", "/api/v1/scenarios")]()),
        "event": event,
        "participant_a": people[0],
        "participant_b": people[1],
        "subscription": post("/api/v1/subscriptions", bodies[("POST", "/api/v1/subscriptions")]()),
    }


def _same_field(wanted: str, named: str) -> bool:
    """Whether an error names the field or its container/element (industries vs industries.0)."""
    return wanted == named or wanted.startswith(named + ".") or named.startswith(wanted + ".")


def test_every_text_field_is_found(world: TextWorld) -> None:
    labels = {t.label for t in world.found}
    for expected in (
        "GET /api/v1/search query q",
        "POST /api/v1/parks body name",
        "PATCH /api/v1/parks/{park_id} body name",
        "POST /api/v1/needs body keywords.0",
        "POST /api/v1/events body sessions.0.interpreters.0",
        "POST /api/v1/events/{event_id}/pairs body note",
        "POST /api/v1/subscriptions body saved_searches.0",
        "GET /api/v1/parks/{park_id}/map.svg query industry",
        "GET /api/v1/chains/{industry} path industry",
        "GET /api/v1/digest/unsubscribe query token",
    ):
        assert expected in labels
    assert len(world.found) > 100


def test_nul_and_control_characters_are_refused_naming_the_field(world: TextWorld) -> None:
    accepted = []
    for target in world.found:
        # a lone surrogate only survives JSON escapes: URLs carry it as bytes decoded to U+FFFD
        probes = (
            ("南宁\x00", "南宁\x01", "\ud800") if target.where == "body" else ("南宁\x00", "\x1b")
        )
        for bad in probes:
            before = fingerprint(world.engine)
            response = send(
                world.client, target, bad, world.ids, valid_bodies(world.ids), world.headers
            )
            assert response.status_code < 500, f"{target.label} {bad!r}: {response.text[:500]}"
            if response.status_code < 400:
                accepted.append(f"{target.label} {bad!r} → {response.status_code}")
                continue
            assert fingerprint(world.engine) == before, f"{target.label}: refused but changed data"
            if target.where == "path" and response.status_code == 404:
                continue  # a path no route matches, e.g. a NUL in a path segment
            fields = [e.get("field", "") for e in response.json().get("errors", [])]
            named = any(_same_field(target.error_field, f) for f in fields if f)
            assert named, f"{target.label} {bad!r}: errors do not name the field: {response.text}"
    assert not accepted, "\n".join(accepted)
    assert stored_refused(world.engine) == []


def _fuzz(world: TextWorld, target: Target) -> Callable[[], None]:
    """A Hypothesis test of one field: any string, huge and empty ones included."""
    bodies = valid_bodies(world.ids)

    @given(value=st.one_of(ANY_TEXT, EDGES))
    @example(value=HUGE)
    @example(value="")
    @settings(
        max_examples=EXAMPLES_PER_FIELD,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(value: str) -> None:
        if target.where != "body":
            value = value[:URL_TEXT_MAX]  # a URL cannot carry a 100k-character value
        before = fingerprint(world.engine)
        response = send(world.client, target, value, world.ids, bodies, world.headers)
        assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
        if response.status_code >= 400:
            assert fingerprint(world.engine) == before, "refused but the data changed"
        elif response.headers.get("content-type", "").startswith("application/json"):
            assert refused_in(response.json()) == [], "accepted with a control character"

    return check


@pytest.mark.slow
def test_any_string_in_any_text_field_never_breaks_the_api(world: TextWorld) -> None:
    failures: list[str] = []
    for target in world.found:
        try:
            _fuzz(world, target)()
        except Exception as exc:  # collect every field's failure, then report them together
            failures.append(f"{target.label}: {exc}")
    assert not failures, "\n\n".join(failures)
    assert stored_refused(world.engine) == []


def test_the_query_of_a_search_refuses_nul_instead_of_a_server_error(world: TextWorld) -> None:
    response = world.client.get("/api/v1/search?q=%00", headers=world.headers)
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] == "q" and "U+0000" in problem["errors"][0]["message"]


def test_a_park_name_with_a_control_character_is_refused_and_the_map_stays_valid(
    world: TextWorld, tmp_path: Path
) -> None:
    park = world.ids["park"]
    before = fingerprint(world.engine)
    refused = world.client.patch(
        f"/api/v1/parks/{park}", json={"name": "南宁\x01高新区"}, headers=world.headers
    )
    assert refused.status_code == 422 and "U+0001" in refused.text
    assert refused.json()["errors"][0]["field"] == "name"
    assert fingerprint(world.engine) == before

    # a name stored before the rule existed: every map format still answers and the SVG parses
    with world.engine.begin() as conn:
        conn.execute(update(Park).where(Park.id == park).values(name="南宁\x01高新区\x0b"))
    try:
        svg = world.client.get(f"/api/v1/parks/{park}/map.svg", headers=world.headers)
        assert svg.status_code == 200
        assert "南宁高新区" in (ET.fromstring(svg.content).findtext(SVG_TITLE) or "")
        for fmt in ("png", "xlsx"):
            drawn = world.client.get(f"/api/v1/parks/{park}/map.{fmt}", headers=world.headers)
            assert drawn.status_code == 200, f"map.{fmt}: {drawn.text[:300]}"
        (tmp_path / "map.xlsx").write_bytes(drawn.content)
        assert load_workbook(tmp_path / "map.xlsx")["说明 About"]["B1"].value == "南宁高新区"
    finally:
        with world.engine.begin() as conn:
            conn.execute(update(Park).where(Park.id == park).values(name="南宁高新区"))
