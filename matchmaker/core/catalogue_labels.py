"""Names of the domain's codes in Chinese and English (industries, tracks, kinds, modes, statuses…)."""

from __future__ import annotations

from matchmaker.core.taxonomy import INDUSTRIES
from matchmaker.core.vocab import COOP_MODES, IPR_STATUSES, ORG_KINDS, PARK_LEVELS, STATUSES

_ENGLISH: dict[str, dict[str, str]] = {
    "coop": {
        "transfer": "Transfer",
        "license": "Licence",
        "equity": "Equity",
        "joint-dev": "Joint development",
        "service": "Technical service",
    },
    "status": {"active": "Open", "closed": "Closed", "draft": "Draft", "pending": "In review"},
    "ipr": {"none": "No patent", "applied": "Applied", "granted": "Granted"},
    "org_kind": {
        "university": "University",
        "research_institute": "Research institute",
        "enterprise": "Enterprise",
        "park_management": "Park management",
        "investor": "Investor",
    },
    "park_level": {"national": "National", "regional": "Regional"},
}
_CHINESE: dict[str, dict[str, str]] = {
    "coop": COOP_MODES,
    "status": STATUSES,
    "ipr": IPR_STATUSES,
    "org_kind": ORG_KINDS,
    "park_level": PARK_LEVELS,
}
_PAIRS: dict[str, dict[str, tuple[str, str]]] = {
    "track": {
        "tech-transfer": ("技术转移", "Tech transfer"),
        "scenario": ("场景驱动", "Scenario-driven"),
        "east-to-guangxi": ("东部研发—广西转化", "East-to-Guangxi"),
    },
    "kind": {
        "achievement": ("科技成果", "Achievement"),
        "need": ("企业需求", "Need"),
        "scenario": ("应用场景", "Scenario"),
        "organisation": ("机构", "Organisation"),
        "park": ("园区", "Park"),
    },
    "target": {
        "achievement": ("科技成果", "Achievements"),
        "need": ("企业需求", "Enterprise needs"),
        "scenario": ("应用场景", "Scenarios"),
        "organisation": ("解决方案提供方", "Solution providers"),
        "park": ("园区", "Parks"),
    },
    "industry": {i.code: (i.zh, i.en) for i in INDUSTRIES},
}

MESSAGES: dict[str, tuple[str, str]] = {
    f"label.{group}.{code}": pair for group, table in _PAIRS.items() for code, pair in table.items()
}
MESSAGES.update(
    {
        f"label.{group}.{code}": (zh, _ENGLISH[group].get(code, zh))
        for group, table in _CHINESE.items()
        for code, zh in table.items()
    }
)
