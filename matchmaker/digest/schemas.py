"""Subscription bodies (self-subscribe, organisers' create and update) and their public form,
validated with the digest's vocabularies and the catalogue's industry rule."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from matchmaker.catalog.parsers import parse_industries
from matchmaker.catalog.schemas import IndustryName
from matchmaker.core.kinds import TrackName
from matchmaker.core.text import Line
from matchmaker.digest import vocab

MAX_ID = 2**31 - 1
Term = Annotated[Line, Field(min_length=1, max_length=100)]
Search = Annotated[Line, Field(min_length=1, max_length=200)]
ParkId = Annotated[int, Field(ge=1, le=MAX_ID)]
Email = Annotated[
    Line,
    Field(
        min_length=6,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="邮箱 e-mail address",
    ),
]
Role = Literal["researcher", "enterprise", "park", "other"]
Tracks = Annotated[list[TrackName], Field(max_length=3)]
Frequency = Literal["daily", "weekly"]
MaxItems = Annotated[int, Field(ge=1, le=vocab.MAX_ITEMS_LIMIT)]
Language = Literal["zh", "en"]


def _industries(value: Any) -> Any:
    return parse_industries(value) if isinstance(value, list) else value


class Interests(BaseModel):
    """What a subscriber follows and how often they hear about it."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Line, Field(max_length=100)] = ""
    organisation: Annotated[Line, Field(max_length=200)] = ""
    role: Role = "other"
    tracks: Tracks = []
    industries: Annotated[list[IndustryName], Field(max_length=20)] = []
    parks: Annotated[list[ParkId], Field(max_length=20, description="园区编号 park ids")] = []
    keywords: Annotated[list[Term], Field(max_length=30)] = []
    saved_searches: Annotated[list[Search], Field(max_length=10)] = []
    frequency: Frequency = "daily"
    max_items: MaxItems = vocab.DEFAULT_MAX_ITEMS
    language: Language = "zh"

    @field_validator("industries", mode="before")
    @classmethod
    def _industries(cls, value: Any) -> Any:
        return _industries(value)


class SelfSubscribe(Interests):
    """A person subscribing their own address (a confirmation e-mail follows)."""

    email: Email

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return vocab.parse_email(value)


class SubscriptionCreate(SelfSubscribe):
    """An organiser adding a subscriber; `confirmed` only when consent was already collected."""

    confirmed: bool = Field(
        default=False, description="已取得本人同意（跳过确认邮件）consent already collected"
    )


class SubscriptionUpdate(BaseModel):
    """Fields to change; omitted ones stay."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Line, Field(max_length=100)] | None = None
    organisation: Annotated[Line, Field(max_length=200)] | None = None
    role: Role | None = None
    tracks: Tracks | None = None
    industries: Annotated[list[IndustryName], Field(max_length=20)] | None = None
    parks: Annotated[list[ParkId], Field(max_length=20)] | None = None
    keywords: Annotated[list[Term], Field(max_length=30)] | None = None
    saved_searches: Annotated[list[Search], Field(max_length=10)] | None = None
    frequency: Frequency | None = None
    max_items: MaxItems | None = None
    language: Language | None = None
    status: Literal["active", "paused", "unsubscribed"] | None = None

    @field_validator("industries", mode="before")
    @classmethod
    def _industries(cls, value: Any) -> Any:
        return _industries(value)


class SubscriptionPublic(BaseModel):
    """A subscription as organisers see it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    organisation: str
    role: str
    tracks: list[str]
    industries: list[str]
    parks: list[int]
    keywords: list[str]
    saved_searches: list[str]
    frequency: str
    max_items: int
    language: str
    status: str
    consecutive_bounces: int
    last_digest_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    created_at: dt.datetime


class SubscriptionPage(BaseModel):
    """One page of subscriptions."""

    total: int
    items: list[SubscriptionPublic]


class Accepted(BaseModel):
    """The answer to a self-subscribe (the same whether or not the address was known)."""

    status: str
    detail: str
