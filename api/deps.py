"""Dependencies shared by routes and pages: the process container (index, recommender), the database
session, the caller's API key and role checks. Routes reach shared objects only through these."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from api.problems import Problem
from api.security.throttle import client_address, throttle_of
from matchmaker.catalog.indexing import ItemIndex
from matchmaker.core.container import Container
from matchmaker.events.service.scoring import ItemScorer, default_scorer
from matchmaker.policy.actor import (
    CATALOG_MANAGE,
    CATALOG_READ,
    CATALOG_WRITE,
    EVENTS_ALL,
    Actor,
    key_principal,
    refusal,
    user_principal,
)
from matchmaker.ranking.service import Recommender
from matchmaker.retrieval.index.service import SearchIndex
from matchmaker.retrieval.search import SearchService
from matchmaker.store.auth import find_key
from matchmaker.store.db import session_factory


def get_session() -> Iterator[Session]:
    """A session per request; committed by the route, rolled back on error."""
    session = session_factory()()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class Caller:
    """Who is calling: role and, for enterprise keys, the organisation they act for; an API key
    (`key_id`) or, for reads through a browser session, a signed-in person (`user_id`)."""

    key_id: int | None
    role: str
    organisation_id: int | None
    park_id: int | None = None
    user_id: int | None = None

    @property
    def sees_contacts(self) -> bool:
        """Whether contact details may be shown to this caller."""
        return self.actor.sees_contacts

    @property
    def actor(self) -> Actor:
        """The caller as the policy knows it (role, organisation, principal "key:N" or "user:N")."""
        principal = (
            user_principal(self.user_id)
            if self.user_id is not None
            else key_principal(self.key_id or 0)
        )
        return Actor(self.role, self.organisation_id, principal, self.park_id)


SAFE_METHODS = frozenset({"GET", "HEAD"})


def _session_caller(request: Request, session: Session) -> Caller | None:
    """The signed-in person of a browser session, for reads only: the pages' cookie is
    SameSite=Lax and HttpOnly, and a read changes nothing, so a page's script (or a person opening
    an API address) reads what the person may read, without pasting the key again."""
    if request.method not in SAFE_METHODS:
        return None
    from api.pages.session import current_user

    user = current_user(request, session)
    if user is None:
        return None
    return Caller(user.key_id, user.role, user.organisation_id, user.park_id, user.user_id)


def current_caller(
    request: Request,
    session: SessionDep,
    x_api_key: Annotated[str | None, Header(description="API 密钥 API key")] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Caller:
    """Authenticate by `X-API-Key` or `Authorization: Bearer` (or, for GET and HEAD only, the
    browser session of the web pages); 401 when missing or wrong, 429 once a client has sent too
    many wrong keys (logged)."""
    key = x_api_key
    if not key and authorization and authorization.lower().startswith("bearer "):
        key = authorization[7:].strip()
    if not key:
        signed_in = _session_caller(request, session)
        if signed_in is not None:
            return signed_in
        raise Problem(
            401,
            "缺少 API 密钥（X-API-Key）/ missing API key",
            headers={"WWW-Authenticate": "Bearer"},
        )
    guard, client = throttle_of(request), client_address(request)
    guard.check("apikey", client)
    record = find_key(session, key)
    if record is None:
        guard.failed("apikey", client)
        raise Problem(
            401,
            "API 密钥无效或已吊销 / invalid or revoked API key",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Caller(record.id, record.role, record.organisation_id, record.park_id)


CallerDep = Annotated[Caller, Depends(current_caller)]


def permit(capability: str):
    """A dependency that lets through callers whose role has this capability (policy), 403
    otherwise."""

    def check(caller: CallerDep) -> Caller:
        if not caller.actor.can(capability):
            raise Problem(403, refusal(caller.actor))
        return caller

    return check


ReaderDep = Annotated[Caller, Depends(permit(CATALOG_READ))]
WriterDep = Annotated[Caller, Depends(permit(CATALOG_WRITE))]
OrganiserDep = Annotated[Caller, Depends(permit(CATALOG_MANAGE))]
AdminDep = Annotated[Caller, Depends(permit(EVENTS_ALL))]


def container(request: Request) -> Container:
    """The application's container (one per app: settings, embedder, index, recommender)."""
    found: Container = request.app.state.container
    return found


ContainerDep = Annotated[Container, Depends(container)]


def loaded_index(request: Request) -> SearchIndex | None:
    """The search index once start-up has loaded it, else None (pages degrade, never wait)."""
    box = container(request)
    return box.index() if box.index_loaded else None


LoadedIndexDep = Annotated[ItemIndex | None, Depends(loaded_index)]


def search_index(request: Request) -> SearchIndex:
    """The loaded search index; 503 while the service is starting."""
    index = loaded_index(request)
    if index is None:
        raise Problem(503, "检索索引尚未加载 / the search index is not loaded")
    return index


SearchIndexDep = Annotated[SearchIndex, Depends(search_index)]


def loaded_search(request: Request) -> SearchService | None:
    """The search service once the index is loaded, else None (the page says so, never waits)."""
    box = container(request)
    return box.search if box.index_loaded else None


def search_service(request: Request) -> SearchService:
    """The search service; 503 while the service is starting."""
    found = loaded_search(request)
    if found is None:
        raise Problem(503, "检索索引尚未加载 / the search index is not loaded")
    return found


SearchServiceDep = Annotated[SearchService, Depends(search_service)]


def loaded_recommender(request: Request) -> Recommender | None:
    """The recommender once the index is loaded and caught up, else None (its rankings need
    every item's vector: while the index catches up at start they would embed the backlog)."""
    box = container(request)
    return box.recommender if box.index_loaded and not box.starting else None


def recommender(request: Request) -> Recommender:
    """The recommender; 503 while the service is starting."""
    rec = loaded_recommender(request)
    if rec is None:
        raise Problem(503, "推荐服务尚未就绪 / the recommender is not loaded")
    return rec


RecommenderDep = Annotated[Recommender, Depends(recommender)]


def event_scorer(request: Request) -> ItemScorer:
    """Pair scores for planning events: the recommender, or its lexical fallback while starting."""
    return default_scorer(loaded_recommender(request))


EventScorerDep = Annotated[ItemScorer, Depends(event_scorer)]
