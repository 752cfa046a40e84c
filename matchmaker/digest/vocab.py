"""The digest's vocabularies (roles, tracks, frequencies, languages) and the parsers people's input goes through."""

from __future__ import annotations

import re
from collections.abc import Iterable

from matchmaker.core.kinds import EAST_TO_GUANGXI, ITEM_KINDS, SCENARIO, TECH_TRANSFER, TRACK_NAMES

ROLES: dict[str, str] = {
    "researcher": "科研人员（高校院所）",
    "enterprise": "企业研发负责人",
    "park": "园区工作人员",
    "other": "其他",
}
ROLE_ALIASES: dict[str, str] = {
    "researcher": "researcher",
    "科研人员": "researcher",
    "研究人员": "researcher",
    "高校": "researcher",
    "教师": "researcher",
    "enterprise": "enterprise",
    "企业": "enterprise",
    "企业研发负责人": "enterprise",
    "研发负责人": "enterprise",
    "park": "park",
    "园区": "park",
    "园区工作人员": "park",
    "other": "other",
    "其他": "other",
}
TRACKS: dict[str, str] = {
    TECH_TRANSFER: "技术转移",
    SCENARIO: "场景驱动",
    EAST_TO_GUANGXI: "东部研发—广西转化",
}
TRACK_ALIASES: dict[str, str] = {
    **{code: code for code in TRACK_NAMES},
    "技术转移": TECH_TRANSFER,
    "场景驱动": SCENARIO,
    "应用场景": SCENARIO,
    "东部研发—广西转化": EAST_TO_GUANGXI,
    "东部研发-广西转化": EAST_TO_GUANGXI,
    "东部研发": EAST_TO_GUANGXI,
    "东部转化": EAST_TO_GUANGXI,
}
FREQUENCIES: dict[str, str] = {"daily": "每日", "weekly": "每周"}
FREQUENCY_ALIASES: dict[str, str] = {
    "daily": "daily",
    "每日": "daily",
    "每天": "daily",
    "weekly": "weekly",
    "每周": "weekly",
}
LANGUAGES: dict[str, str] = {"zh": "中文", "en": "English"}
LANGUAGE_ALIASES: dict[str, str] = {
    "zh": "zh",
    "中文": "zh",
    "汉语": "zh",
    "chinese": "zh",
    "en": "en",
    "英文": "en",
    "english": "en",
}
KINDS: tuple[str, ...] = ITEM_KINDS  # the order digests rank and list kinds in
# Which kinds each track brings, and which side of a pairing each role wants to hear about.
TRACK_KINDS: dict[str, frozenset[str]] = {
    TECH_TRANSFER: frozenset({"achievement", "need"}),
    SCENARIO: frozenset({"scenario"}),
    EAST_TO_GUANGXI: frozenset({"achievement", "need"}),
}
ROLE_KINDS: dict[str, frozenset[str]] = {
    "researcher": frozenset({"need", "scenario"}),
    "enterprise": frozenset({"achievement", "scenario"}),
    "park": frozenset(KINDS),
    "other": frozenset(KINDS),
}
DEFAULT_MAX_ITEMS = 10
MAX_ITEMS_LIMIT = 50
MAX_INTEREST_TERMS = 30  # keywords + saved searches per subscription
EMAIL_PATTERN = re.compile(
    r"^[^@\s<>\"(),;:\\\[\]]{1,64}@[^@\s<>\"(),;:\\\[\]]+\.[^@\s<>\"(),;:\\\[\]]+$"
)


def _lookup(value: str, aliases: dict[str, str], what: str, allowed: Iterable[str]) -> str:
    key = str(value).strip()
    code = aliases.get(key.lower()) or aliases.get(key)
    if code is None:
        raise ValueError(f"未知的{what}“{key}”，可选：{'、'.join(allowed)} / unknown {what}")
    return code


def parse_role(value: str) -> str:
    """Role code from 科研人员/企业/园区/其他 or English."""
    return _lookup(value, ROLE_ALIASES, "身份 role", ROLES)


def parse_track(value: str) -> str:
    """Track code from 技术转移/场景驱动/东部研发—广西转化 or the English codes."""
    return _lookup(value, TRACK_ALIASES, "赛道 track", TRACKS)


def parse_frequency(value: str) -> str:
    """daily or weekly from 每日/每周 or English."""
    return _lookup(value, FREQUENCY_ALIASES, "频率 frequency", FREQUENCIES)


def parse_language(value: str) -> str:
    """zh or en from 中文/英文 or English."""
    return _lookup(value, LANGUAGE_ALIASES, "语言 language", LANGUAGES)


def parse_email(value: str) -> str:
    """A trimmed, lower-cased address, or ValueError saying why it is not one."""
    email = str(value).strip().lower()
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        raise ValueError(f"邮箱地址无效“{value}” / invalid e-mail address")
    if not email.isascii():
        raise ValueError(
            f"暂不支持含非 ASCII 字符的邮箱“{value}” / addresses must be ASCII for now"
        )
    return email


def parse_max_items(value: object) -> int:
    """Items per e-mail, 1–50."""
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise ValueError(f"每封条数应为整数“{value}” / max items must be a whole number") from exc
    if not 1 <= number <= MAX_ITEMS_LIMIT:
        raise ValueError(
            f"每封条数应在 1–{MAX_ITEMS_LIMIT} 之间 / max items must be 1–{MAX_ITEMS_LIMIT}"
        )
    return number


def wanted_kinds(tracks: Iterable[str], role: str) -> frozenset[str]:
    """The item kinds a subscriber receives: those of their tracks, narrowed to their role's side."""
    chosen = [t for t in tracks if t in TRACK_KINDS] or list(TRACK_KINDS)
    by_track = frozenset().union(*(TRACK_KINDS[t] for t in chosen))
    narrowed = by_track & ROLE_KINDS.get(role, frozenset(KINDS))
    return narrowed or by_track


def eastern_only(tracks: Iterable[str]) -> bool:
    """Whether achievements must come from eastern R&D sources (only the east-to-Guangxi track asks)."""
    chosen = set(tracks)
    return EAST_TO_GUANGXI in chosen and TECH_TRANSFER not in chosen
