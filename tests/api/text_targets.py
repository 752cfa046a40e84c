"""Every text field the API takes, found from the app's own OpenAPI document, with a valid request
around each, so a test can put any string into one field and see what the app does with it."""

from __future__ import annotations

import copy
import functools
import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData, Table, select

from matchmaker.core.text import REFUSED

Path_ = tuple[str | int, ...]
_serial = itertools.count(1)


def unique(prefix: str) -> str:
    """A fresh external id or address part (creates must not collide with earlier ones)."""
    return f"{prefix}{next(_serial)}"


@dataclass(frozen=True)
class Target:
    """One text field of one operation: where it goes (query, path or body) and its path."""

    method: str
    route: str  # the OpenAPI path template
    where: str  # "query" | "path" | "body"
    field: Path_

    @property
    def label(self) -> str:
        """How the test names it, e.g. POST /api/v1/events body sessions.0.name."""
        return f"{self.method} {self.route} {self.where} {'.'.join(map(str, self.field))}"

    @property
    def error_field(self) -> str:
        """The `field` a problem document uses for it (see api/problems.py)."""
        return ".".join(map(str, self.field))


def valid_bodies(ids: dict[str, int]) -> dict[tuple[str, str], Callable[[], dict[str, Any]]]:
    """A valid body per body operation (fresh ids for creates), over the text-fields world."""
    return {
        ("POST", "/api/v1/parks"): lambda: {
            "external_id": unique("P-"),
            "name": "测试园区",
            "level": "national",
            "city": "南宁",
        },
        ("PATCH", "/api/v1/parks/{park_id}"): lambda: {"description": "园区简介"},
        ("POST", "/api/v1/organisations"): lambda: {
            "external_id": unique("O-"),
            "name": "测试企业",
            "kind": "enterprise",
            "province": "广西",
        },
        ("PATCH", "/api/v1/organisations/{org_id}"): lambda: {"description": "简介"},
        ("POST", "/api/v1/achievements"): lambda: {
            "external_id": unique("A-"),
            "title": "面板缺陷检测",
            "summary": "视觉检测。",
            "trl": 6,
            "owner_id": ids["uni"],
        },
        ("PATCH", "/api/v1/achievements/{item_id}"): lambda: {"applications": "面板"},
        ("POST", "/api/v1/needs"): lambda: {
            "external_id": unique("N-"),
            "title": "虚焊检测",
            "description": "希望自动检测。",
            "enterprise_id": ids["ent"],
        },
        ("PATCH", "/api/v1/needs/{item_id}"): lambda: {"description": "人工目检效率低。"},
        ("POST", "/api/v1/scenarios"): lambda: {
            "external_id": unique("S-"),
            "title": "园区巡检",
            "description": "无人机巡检。",
        },
        ("PATCH", "/api/v1/scenarios/{item_id}"): lambda: {"description": "无人机巡检。"},
        ("POST", "/api/v1/feedback"): lambda: {
            "track": "tech-transfer",
            "source_kind": "need",
            "source_id": ids["own_need"],
            "target_kind": "achievement",
            "target_id": ids["ach"],
            "action": "contacted",
        },
        ("POST", "/api/v1/digest/subscribe"): lambda: {
            "email": f"{unique('s')}@example.cn",
            "keywords": ["稀土"],
        },
        ("POST", "/api/v1/subscriptions"): lambda: {
            "email": f"{unique('o')}@example.cn",
            "keywords": ["稀土"],
            "confirmed": True,
        },
        ("PATCH", "/api/v1/subscriptions/{sub_id}"): lambda: {"name": "王工"},
        ("POST", "/api/v1/events"): lambda: {
            "name": "对接会",
            "date": "2026-12-01",
            "sessions": [{"name": "上午场", "start": "09:00", "end": "10:00"}],
            "tables": 2,
        },
        ("PATCH", "/api/v1/events/{event_id}"): lambda: {"venue": "会展中心"},
        ("POST", "/api/v1/events/{event_id}/participants"): lambda: {
            "organisation_id": ids["other"]
        },
        ("PATCH", "/api/v1/events/{event_id}/participants/{participant_id}"): lambda: {
            "note": "备注"
        },
        ("POST", "/api/v1/events/{event_id}/pairs"): lambda: {
            "a": ids["participant_a"],
            "b": ids["participant_b"],
            "rule": "must",
        },
    }


PATH_IDS = {
    "park_id": "park",
    "org_id": "uni",
    "item_id": None,  # by route: the world's item of that kind
    "event_id": "event",
    "participant_id": "participant_a",
    "sub_id": "subscription",
    "meeting_id": "event",
    "rule_id": "event",
    "source_id": "own_need",
}
ITEM_IDS = {"achievements": "ach", "needs": "own_need", "scenarios": "scenario"}
PATH_VALUES = {"track": "tech-transfer", "source_kind": "need", "fmt": "csv", "kind": "needs"}


def url_for(route: str, ids: dict[str, int], override: tuple[str, str] | None = None) -> str:
    """The route with its path parameters filled from the world (one replaced by `override`)."""
    url = route
    for name in [p[1:-1] for p in route.split("/") if p.startswith("{")]:
        if override is not None and override[0] == name:
            value = override[1]
        elif route.startswith("/api/v1/finance-products/matches/") and name == "kind":
            value = "need"  # finance matches name the kind in the singular
        elif route.startswith("/api/v1/finance-products/matches/") and name == "item_id":
            value = str(ids["own_need"])
        elif name in PATH_VALUES:
            value = PATH_VALUES[name]
        elif name == "item_id":
            value = str(ids[ITEM_IDS[route.split("/")[3]]])
        elif name == "industry":
            value = "electronic-info"
        else:
            value = str(ids[PATH_IDS[name] or ""])
        url = url.replace("{" + name + "}", value)
    return url


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def string_paths(
    schema: dict[str, Any], components: dict[str, Any], prefix: Path_ = ()
) -> Iterator[Path_]:
    """Every place a string goes in a JSON schema (list items as index 0)."""
    schema = _resolve(schema, components)
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        yield from string_paths(option, components, prefix)
    kind = schema.get("type")
    if kind == "string":
        yield prefix
    elif kind == "array" and "items" in schema:
        yield from string_paths(schema["items"], components, (*prefix, 0))
    elif kind == "object" or "properties" in schema:
        for name, sub in schema.get("properties", {}).items():
            yield from string_paths(sub, components, (*prefix, name))


def targets(openapi: dict[str, Any], bodies: set[tuple[str, str]]) -> list[Target]:
    """Every text field of every JSON operation: string query and path parameters and every
    string in a JSON body (multipart uploads are the importer's, tested on their own)."""
    components = openapi.get("components", {}).get("schemas", {})
    found: list[Target] = []
    for route, operations in openapi["paths"].items():
        for method, operation in operations.items():
            method = method.upper()
            if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
                continue  # file uploads: the importer's own tests (tests/catalog/importer)
            for param in operation.get("parameters", []):
                if param["in"] not in ("query", "path"):
                    continue  # headers: the API key is the security suite's
                for _ in dict.fromkeys(string_paths(param.get("schema", {}), components)):
                    found.append(Target(method, route, param["in"], (param["name"],)))
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content and (method, route) in bodies:
                schema = content["application/json"]["schema"]
                for path in dict.fromkeys(string_paths(schema, components)):
                    if path:
                        found.append(Target(method, route, "body", path))
    return found


def put(body: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    """A copy of the body with `value` at `path` (missing lists and objects are made)."""
    out = copy.deepcopy(body)
    node: Any = out
    for step, following in zip(path, path[1:], strict=False):
        fresh: Any = [] if isinstance(following, int) else {}
        if isinstance(step, int):
            if not node:
                node.append(fresh)
            node = node[0]
        else:
            if not isinstance(node.get(step), list | dict):
                node[step] = fresh
            node = node[step]
    last = path[-1]
    if isinstance(last, int):
        node[:] = [value]
    else:
        node[last] = value
    return out


def _quoted(value: str) -> str:
    """Percent-encoded as a client would send it (a lone surrogate as its UTF-8-style bytes)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def send(
    client: TestClient,
    target: Target,
    value: str,
    ids: dict[str, int],
    bodies: dict[tuple[str, str], Callable[[], dict[str, Any]]],
    headers: dict[str, str],
) -> Any:
    """The target's request with `value` in its field, everything else valid."""
    name = str(target.field[0])
    if target.where == "path":
        url = url_for(target.route, ids, (name, _quoted(value)))
        return client.request(target.method, url, headers=headers)
    url = url_for(target.route, ids)
    if target.where == "query":
        return client.request(target.method, f"{url}?{name}={_quoted(value)}", headers=headers)
    body = put(bodies[(target.method, target.route)](), target.field, value)
    return client.request(
        target.method,
        url,
        content=json.dumps(body).encode("ascii"),  # \uXXXX escapes carry any code point
        headers={**headers, "Content-Type": "application/json"},
    )


@functools.cache
def _tables(engine: Engine) -> list[Table]:
    meta = MetaData()
    meta.reflect(engine)
    return sorted(meta.tables.values(), key=lambda t: t.name)


def fingerprint(engine: Engine) -> str:
    """A hash of every row of every table: equal before and after means nothing changed."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in _tables(engine):
            digest.update(table.name.encode())
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def stored_refused(engine: Engine) -> list[str]:
    """Every stored text value holding a character the text rule refuses (should be none)."""
    bad = []
    with engine.connect() as conn:
        for table in _tables(engine):
            for row in conn.execute(select(table)):
                for value in row:
                    if isinstance(value, str) and REFUSED.search(value):
                        bad.append(f"{table.name}: {value[:60]!r}")
    return bad


def refused_in(value: Any) -> list[str]:
    """Strings in a JSON answer that hold a refused character."""
    if isinstance(value, str):
        return [value[:60]] if REFUSED.search(value) else []
    if isinstance(value, dict):
        return [bad for v in value.values() for bad in refused_in(v)]
    if isinstance(value, list):
        return [bad for v in value for bad in refused_in(v)]
    return []
