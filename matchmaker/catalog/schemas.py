"""One schema family per record kind (Create / Update / Public), validated by the catalogue's field
rules (`catalog.fields`), so the API, the forms and the importer accept and refuse the same values
with the same Chinese-first messages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from matchmaker.catalog.fields import (
    CODE_MAX,
    COOP_MAX,
    INDUSTRIES_MAX,
    LONG_MAX,
    NAME_MAX,
    PROVINCE_MAX,
    TERM_MAX,
    TERMS_MAX,
    TITLE_MAX,
    clean_value,
    range_problems,
)
from matchmaker.catalog.kinds import plural
from matchmaker.core.taxonomy import INDUSTRIES
from matchmaker.core.vocab import COOP_MODES

INDUSTRY_VALUES = (
    [i.code for i in INDUSTRIES]
    + [i.zh for i in INDUSTRIES]
    + [i.policy for i in INDUSTRIES if i.policy]
)
COOP_VALUES = list(COOP_MODES) + list(COOP_MODES.values())
IndustryName = Annotated[
    str,
    Field(
        json_schema_extra={"enum": INDUSTRY_VALUES},
        description="行业代码、中文名或政策文件中的名称",
    ),
]
CoopName = Annotated[
    str, Field(json_schema_extra={"enum": COOP_VALUES}, description="合作方式代码或中文名")
]

Code = Annotated[str, Field(min_length=1, max_length=CODE_MAX)]
Text200 = Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
Text300 = Annotated[str, Field(min_length=1, max_length=TITLE_MAX)]
LongText = Annotated[str, Field(min_length=1, max_length=LONG_MAX)]
OptionalLong = Annotated[str, Field(max_length=LONG_MAX)]
Amount = Annotated[float, Field(ge=0, le=1e9, description="万元 (10k CNY)")]
DbId = Annotated[int, Field(ge=1, le=2**31 - 1, description="数据库编号 database id")]
TRL = Annotated[int, Field(ge=1, le=9, description="技术成熟度 TRL 1–9")]
ShortList = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=TERM_MAX)]], Field(max_length=TERMS_MAX)
]
Industries = Annotated[list[IndustryName], Field(max_length=INDUSTRIES_MAX)]
CoopModes = Annotated[list[CoopName], Field(max_length=COOP_MAX)]
Status = Annotated[str, Field(pattern="^(active|closed|draft)$")]
Level = Annotated[str, Field(pattern="^(national|regional)$")]
OrgKind = Annotated[
    str, Field(pattern="^(university|research_institute|enterprise|park_management|investor)$")
]
Size = Annotated[str, Field(pattern="^(small|medium|large)$")]
IprStatus = Annotated[str, Field(pattern="^(none|applied|granted)$")]
City = Annotated[str, Field(max_length=CODE_MAX)]
Contact64 = Annotated[str, Field(max_length=CODE_MAX)]
Contact200 = Annotated[str, Field(max_length=NAME_MAX)]


class CatalogInput(BaseModel):
    """A body for one record kind: unknown fields are named, every value goes through the
    catalogue's field rule of the same name (parsers and limits shared with the importer)."""

    model_config = ConfigDict(extra="forbid")
    record_kind: ClassVar[str]

    @field_validator("*", mode="before")
    @classmethod
    def _field_rules(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or info.field_name is None:
            return value
        return clean_value(plural(cls.record_kind), info.field_name, value)


# ---- parks -----------------------------------------------------------------
class ParkCreate(CatalogInput):
    record_kind = "park"
    external_id: Code
    name: Text200
    level: Annotated[
        str,
        Field(pattern="^(national|regional)$", description="national 国家级 | regional 自治区级"),
    ]
    city: Annotated[str, Field(min_length=1, max_length=CODE_MAX)]
    province: Annotated[str, Field(min_length=1, max_length=PROVINCE_MAX)] = "广西"
    industries: Annotated[
        list[IndustryName], Field(max_length=INDUSTRIES_MAX, description="主导产业（代码或中文名）")
    ] = []
    description: OptionalLong = ""


class ParkUpdate(CatalogInput):
    record_kind = "park"
    name: Text200 | None = None
    level: Level | None = None
    city: Annotated[str, Field(min_length=1, max_length=CODE_MAX)] | None = None
    industries: Industries | None = None
    description: OptionalLong | None = None


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
class OrganisationCreate(CatalogInput):
    record_kind = "organisation"
    external_id: Code
    name: Text200
    kind: OrgKind
    province: Annotated[
        str,
        Field(min_length=1, max_length=PROVINCE_MAX, description="省份，如 广西、北京、上海"),
    ]
    city: City | None = None
    size: Size | None = None
    park_id: DbId | None = None
    industries: Industries = []
    description: OptionalLong = ""
    website: Contact200 | None = None
    regulated: bool | None = Field(None, description="规上工业企业")
    rd_institution: bool | None = Field(None, description="有研发机构")
    rd_activity: bool | None = Field(None, description="有研发活动")


class OrganisationUpdate(CatalogInput):
    record_kind = "organisation"
    name: Text200 | None = None
    kind: OrgKind | None = None
    province: Annotated[str, Field(min_length=1, max_length=PROVINCE_MAX)] | None = None
    city: City | None = None
    size: Size | None = None
    park_id: DbId | None = None
    industries: Industries | None = None
    description: OptionalLong | None = None
    website: Contact200 | None = None
    regulated: bool | None = None
    rd_institution: bool | None = None
    rd_activity: bool | None = None


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
    regulated: bool | None = None
    rd_institution: bool | None = None
    rd_activity: bool | None = None


# ---- items -----------------------------------------------------------------
class Contact(BaseModel):
    name: str | None = None
    phone: str | None = None
    email: str | None = None


class ItemCommon(CatalogInput):
    keywords: ShortList = []
    industries: Industries = []
    status: Status = "active"
    contact_name: Contact64 | None = None
    contact_phone: Contact64 | None = None
    contact_email: Contact200 | None = None

    @model_validator(mode="after")
    def _ranges(self) -> Any:
        """A new item's price or budget range must not be upside down (updates are checked
        against the stored values by the item service)."""
        problems = range_problems(self.__dict__)
        if problems:
            raise ValueError(problems[0][2])
        return self


class ItemUpdateCommon(CatalogInput):
    title: Text300 | None = None
    keywords: ShortList | None = None
    industries: Industries | None = None
    status: Status | None = None
    contact_name: Contact64 | None = None
    contact_phone: Contact64 | None = None
    contact_email: Contact200 | None = None


class AchievementCreate(ItemCommon):
    record_kind = "achievement"
    external_id: Code
    title: Text300
    summary: LongText
    trl: TRL | None = None
    ipr_status: IprStatus = "none"
    patent_numbers: ShortList = []
    coop_modes: CoopModes = []
    price_min: Amount | None = None
    price_max: Amount | None = None
    applications: OptionalLong = ""
    owner_id: DbId


class AchievementUpdate(ItemUpdateCommon):
    record_kind = "achievement"
    summary: LongText | None = None
    trl: TRL | None = None
    ipr_status: IprStatus | None = None
    patent_numbers: ShortList | None = None
    coop_modes: CoopModes | None = None
    price_min: Amount | None = None
    price_max: Amount | None = None
    applications: OptionalLong | None = None
    owner_id: DbId | None = None


class NeedCreate(ItemCommon):
    record_kind = "need"
    external_id: Code
    title: Text300
    description: LongText
    min_trl: TRL | None = None
    budget_min: Amount | None = None
    budget_max: Amount | None = None
    deadline: dt.date | None = None
    coop_modes: CoopModes = []
    enterprise_id: Annotated[
        int | None, Field(ge=1, le=2**31 - 1, description="需求企业；企业密钥可省略（默认本机构）")
    ] = None
    park_id: DbId | None = None


class NeedUpdate(ItemUpdateCommon):
    record_kind = "need"
    description: LongText | None = None
    min_trl: TRL | None = None
    budget_min: Amount | None = None
    budget_max: Amount | None = None
    deadline: dt.date | None = None
    coop_modes: CoopModes | None = None
    park_id: DbId | None = None


class ScenarioCreate(ItemCommon):
    record_kind = "scenario"
    external_id: Code
    title: Text300
    description: LongText
    capabilities: ShortList = []
    budget_min: Amount | None = None
    budget_max: Amount | None = None
    deadline: dt.date | None = None
    park_id: DbId | None = None
    owner_id: DbId | None = None


class ScenarioUpdate(ItemUpdateCommon):
    record_kind = "scenario"
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
    trl: int | None
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


class AchievementPage(Page):
    items: list[AchievementPublic]


class NeedPage(Page):
    items: list[NeedPublic]


class ScenarioPage(Page):
    items: list[ScenarioPublic]


class OrganisationPage(Page):
    items: list[OrganisationPublic]


class ParkPage(Page):
    items: list[ParkPublic]


CREATE_SCHEMAS: dict[str, type[CatalogInput]] = {
    cls.record_kind: cls
    for cls in (ParkCreate, OrganisationCreate, AchievementCreate, NeedCreate, ScenarioCreate)
}
UPDATE_SCHEMAS: dict[str, type[CatalogInput]] = {
    cls.record_kind: cls
    for cls in (ParkUpdate, OrganisationUpdate, AchievementUpdate, NeedUpdate, ScenarioUpdate)
}
