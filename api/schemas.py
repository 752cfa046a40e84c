"""Request and response bodies per entity: Create / Update / Public, validated with the importers' vocabularies."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from matchmaker.catalog.importer import parsers
from matchmaker.core.taxonomy import INDUSTRIES
from matchmaker.core.vocab import COOP_MODES

INDUSTRY_VALUES = [i.code for i in INDUSTRIES] + [i.zh for i in INDUSTRIES]
COOP_VALUES = list(COOP_MODES) + list(COOP_MODES.values())
IndustryName = Annotated[
    str, Field(json_schema_extra={"enum": INDUSTRY_VALUES}, description="行业代码或中文名")
]
CoopName = Annotated[
    str, Field(json_schema_extra={"enum": COOP_VALUES}, description="合作方式代码或中文名")
]

Text200 = Annotated[str, Field(min_length=1, max_length=200)]
Text300 = Annotated[str, Field(min_length=1, max_length=300)]
LongText = Annotated[str, Field(min_length=1, max_length=20000)]
Amount = Annotated[float, Field(ge=0, le=1e9, description="万元 (10k CNY)")]
DbId = Annotated[int, Field(ge=1, le=2**31 - 1, description="数据库编号 database id")]
TRL = Annotated[int, Field(ge=1, le=9, description="技术成熟度 TRL 1–9")]
ShortList = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=50)
]


def _vocab(parse: Any, value: Any) -> Any:
    if value is None:
        return value
    try:
        return parse(value)
    except ValueError as exc:
        raise ValueError(str(exc)) from exc


class Strict(BaseModel):
    """Rejects unknown fields so typos are named, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class IndustriesMixin(Strict):
    """Industries given as codes or Chinese/English names, stored as codes."""

    @field_validator("industries", mode="before", check_fields=False)
    @classmethod
    def _industries(cls, v: Any) -> Any:
        return _vocab(parsers.parse_industries, v)


class CoopMixin(Strict):
    """Cooperation modes as codes or 转让/许可/作价入股/合作开发/技术服务."""

    @field_validator("coop_modes", mode="before", check_fields=False)
    @classmethod
    def _coop(cls, v: Any) -> Any:
        return _vocab(parsers.parse_coop_modes, v)


class StatusMixin(Strict):
    """Status as active / closed / draft (or 有效 / 已关闭 / 草稿)."""

    @field_validator("status", mode="before", check_fields=False)
    @classmethod
    def _status(cls, v: Any) -> Any:
        return _vocab(parsers.parse_status, v)


def _check_range(low: float | None, high: float | None, name: str) -> None:
    if low is not None and high is not None and low > high:
        raise ValueError(f"{name}_min 大于 {name}_max / {name}_min exceeds {name}_max")


# ---- parks -----------------------------------------------------------------
class ParkCreate(IndustriesMixin):
    external_id: Annotated[str, Field(min_length=1, max_length=64)]
    name: Text200
    level: Annotated[
        str,
        Field(pattern="^(national|regional)$", description="national 国家级 | regional 自治区级"),
    ]
    city: Annotated[str, Field(min_length=1, max_length=64)]
    province: Annotated[str, Field(min_length=1, max_length=32)] = "广西"
    industries: Annotated[
        list[IndustryName], Field(max_length=20, description="主导产业（代码或中文名）")
    ] = []
    description: Annotated[str, Field(max_length=20000)] = ""


class ParkUpdate(IndustriesMixin):
    name: Text200 | None = None
    level: Annotated[str, Field(pattern="^(national|regional)$")] | None = None
    city: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    industries: Annotated[list[IndustryName], Field(max_length=20)] | None = None
    description: Annotated[str, Field(max_length=20000)] | None = None


class ParkPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    external_id: str
    name: str
    level: str
    province: str
    city: str
    industries: list[str]
    description: str


# ---- organisations ---------------------------------------------------------
KIND_PATTERN = "^(university|research_institute|enterprise|park_management|investor)$"


class OrganisationCreate(IndustriesMixin):
    external_id: Annotated[str, Field(min_length=1, max_length=64)]
    name: Text200
    kind: Annotated[str, Field(pattern=KIND_PATTERN)]
    province: Annotated[
        str, Field(min_length=1, max_length=32, description="省份，如 广西、北京、上海")
    ]
    city: Annotated[str, Field(max_length=64)] | None = None
    size: Annotated[str, Field(pattern="^(small|medium|large)$")] | None = None
    park_id: DbId | None = None
    industries: Annotated[list[IndustryName], Field(max_length=20)] = []
    description: Annotated[str, Field(max_length=20000)] = ""
    website: Annotated[str, Field(max_length=200)] | None = None

    @field_validator("province")
    @classmethod
    def _province(cls, v: str) -> str:
        return parsers.parse_province(v)


class OrganisationUpdate(IndustriesMixin):
    name: Text200 | None = None
    kind: Annotated[str, Field(pattern=KIND_PATTERN)] | None = None
    province: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    city: Annotated[str, Field(max_length=64)] | None = None
    size: Annotated[str, Field(pattern="^(small|medium|large)$")] | None = None
    park_id: DbId | None = None
    industries: Annotated[list[IndustryName], Field(max_length=20)] | None = None
    description: Annotated[str, Field(max_length=20000)] | None = None
    website: Annotated[str, Field(max_length=200)] | None = None


class OrganisationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    external_id: str
    name: str
    kind: str
    province: str
    city: str | None
    size: str | None
    park_id: DbId | None
    industries: list[str]
    description: str
    is_eastern: bool


# ---- items -----------------------------------------------------------------
class Contact(BaseModel):
    name: str | None = None
    phone: str | None = None
    email: str | None = None


class ItemCommon(IndustriesMixin, StatusMixin):
    keywords: ShortList = []
    industries: Annotated[list[IndustryName], Field(max_length=20)] = []
    status: Annotated[str, Field(pattern="^(active|closed|draft)$")] = "active"
    contact_name: Annotated[str, Field(max_length=64)] | None = None
    contact_phone: Annotated[str, Field(max_length=64)] | None = None
    contact_email: Annotated[str, Field(max_length=200)] | None = None


class ItemUpdateCommon(IndustriesMixin, StatusMixin):
    title: Text300 | None = None
    keywords: ShortList | None = None
    industries: Annotated[list[IndustryName], Field(max_length=20)] | None = None
    status: Annotated[str, Field(pattern="^(active|closed|draft)$")] | None = None
    contact_name: Annotated[str, Field(max_length=64)] | None = None
    contact_phone: Annotated[str, Field(max_length=64)] | None = None
    contact_email: Annotated[str, Field(max_length=200)] | None = None


class AchievementCreate(ItemCommon, CoopMixin):
    external_id: Annotated[str, Field(min_length=1, max_length=64)]
    title: Text300
    summary: LongText
    trl: TRL
    ipr_status: Annotated[str, Field(pattern="^(none|applied|granted)$")] = "none"
    patent_numbers: ShortList = []
    coop_modes: Annotated[list[CoopName], Field(max_length=5)] = []
    price_min: Amount | None = None
    price_max: Amount | None = None
    applications: Annotated[str, Field(max_length=20000)] = ""
    owner_id: DbId

    @model_validator(mode="after")
    def _price(self) -> AchievementCreate:
        _check_range(self.price_min, self.price_max, "price")
        return self


class AchievementUpdate(ItemUpdateCommon, CoopMixin):
    summary: LongText | None = None
    trl: TRL | None = None
    ipr_status: Annotated[str, Field(pattern="^(none|applied|granted)$")] | None = None
    patent_numbers: ShortList | None = None
    coop_modes: Annotated[list[CoopName], Field(max_length=5)] | None = None
    price_min: Amount | None = None
    price_max: Amount | None = None
    applications: Annotated[str, Field(max_length=20000)] | None = None
    owner_id: DbId | None = None


class NeedCreate(ItemCommon, CoopMixin):
    external_id: Annotated[str, Field(min_length=1, max_length=64)]
    title: Text300
    description: LongText
    min_trl: TRL | None = None
    budget_min: Amount | None = None
    budget_max: Amount | None = None
    deadline: dt.date | None = None
    coop_modes: Annotated[list[CoopName], Field(max_length=5)] = []
    enterprise_id: Annotated[
        int | None, Field(ge=1, le=2**31 - 1, description="需求企业；企业密钥可省略（默认本机构）")
    ] = None
    park_id: DbId | None = None

    @model_validator(mode="after")
    def _budget(self) -> NeedCreate:
        _check_range(self.budget_min, self.budget_max, "budget")
        return self


class NeedUpdate(ItemUpdateCommon, CoopMixin):
    description: LongText | None = None
    min_trl: TRL | None = None
    budget_min: Amount | None = None
    budget_max: Amount | None = None
    deadline: dt.date | None = None
    coop_modes: Annotated[list[CoopName], Field(max_length=5)] | None = None
    park_id: DbId | None = None


class ScenarioCreate(ItemCommon):
    external_id: Annotated[str, Field(min_length=1, max_length=64)]
    title: Text300
    description: LongText
    capabilities: ShortList = []
    budget_min: Amount | None = None
    budget_max: Amount | None = None
    deadline: dt.date | None = None
    park_id: DbId | None = None
    owner_id: DbId | None = None

    @model_validator(mode="after")
    def _budget(self) -> ScenarioCreate:
        _check_range(self.budget_min, self.budget_max, "budget")
        return self


class ScenarioUpdate(ItemUpdateCommon):
    description: LongText | None = None
    capabilities: ShortList | None = None
    budget_min: Amount | None = None
    budget_max: Amount | None = None
    deadline: dt.date | None = None
    park_id: DbId | None = None
    owner_id: DbId | None = None


class ItemPublic(BaseModel):
    """Fields every item shows; contact is null unless the caller's role may see it."""

    id: int
    kind: str
    external_id: str
    title: str
    keywords: list[str]
    industries: list[str]
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    contact: Contact | None = None


class AchievementPublic(ItemPublic):
    summary: str
    trl: int
    ipr_status: str
    patent_numbers: list[str]
    coop_modes: list[str]
    price_min: float | None
    price_max: float | None
    applications: str
    owner_id: DbId
    owner_name: str


class NeedPublic(ItemPublic):
    description: str
    min_trl: int | None
    budget_min: float | None
    budget_max: float | None
    deadline: dt.date | None
    coop_modes: list[str]
    enterprise_id: DbId
    enterprise_name: str
    park_id: DbId | None


class ScenarioPublic(ItemPublic):
    description: str
    capabilities: list[str]
    budget_min: float | None
    budget_max: float | None
    deadline: dt.date | None
    park_id: DbId | None
    owner_id: DbId | None


class Page(BaseModel):
    """A page of results and the total count matching the filters."""

    total: int
    limit: int
    offset: int
