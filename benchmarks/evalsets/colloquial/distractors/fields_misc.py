"""Contact details, patent numbers, deadlines, prices and other small per-row fields."""

from __future__ import annotations

import random

from .vocab_orgs import ACADEMIC_TITLES, AREA_CODES, COMPANY_TITLES, PINYIN, SURNAMES

COOP_CODES = ("transfer", "license", "equity", "joint-dev", "service")
TRL_WEIGHTS = (2, 4, 9, 12, 15, 16, 16, 14, 12)
MONTH_ENDS = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def contact(rng: random.Random, kind: str, city: str) -> dict[str, str]:
    """Fictional contact name, landline and example-domain e-mail for an organisation."""
    surname = rng.choice(SURNAMES)
    academic = kind in ("university", "research_institute")
    title = rng.choice(ACADEMIC_TITLES if academic else COMPANY_TITLES)
    area = AREA_CODES.get(city, "0771")
    digits = 8 if len(area) == 3 or area in ("0755", "0757", "0769", "0512", "0571", "0574") else 7
    first = str(rng.randint(2, 8))
    number = first + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
    letters = "".join(rng.choice("abcdefghjklmnpqrstwxyz") for _ in range(2))
    domain = "example.edu.cn" if academic else "example.com"
    return {
        "contact_name": f"{surname}{title}",
        "contact_phone": f"{area}-{number}",
        "contact_email": f"{PINYIN[surname]}.{letters}@{domain}",
    }


def patent_numbers(rng: random.Random, ipr: str) -> list[str]:
    """Chinese patent (application) numbers in the usual ZL…/….n form."""
    if ipr == "none":
        return []
    out = []
    for _ in range(rng.choices((1, 2, 3), (6, 3, 1))[0]):
        year = rng.randint(2017, 2024) if ipr == "granted" else rng.randint(2023, 2026)
        kind = rng.choices(("1", "2"), (8, 2))[0]
        serial = "".join(str(rng.randint(0, 9)) for _ in range(7))
        number = f"{year}{kind}{serial}.{rng.randint(0, 9)}"
        out.append(f"ZL{number}" if ipr == "granted" else number)
    return out


def ipr_for(rng: random.Random, trl: int, soft: bool) -> str:
    """IPR status consistent with maturity (software is less often patented)."""
    if trl <= 2:
        return rng.choices(("none", "applied"), (6, 4))[0]
    weights = (5, 3, 2) if soft else (2, 3, 5)
    return rng.choices(("none", "applied", "granted"), weights)[0]


def trl(rng: random.Random) -> int:
    """A technology readiness level 1–9, weighted towards the middle."""
    return rng.choices(range(1, 10), TRL_WEIGHTS)[0]


def coop_modes(rng: random.Random, for_need: bool) -> list[str]:
    """One to three cooperation modes, in vocabulary order."""
    weights = (3, 2, 1, 5, 4) if for_need else (5, 4, 2, 4, 3)
    picked: set[str] = set()
    for _ in range(rng.choices((1, 2, 3), (3, 5, 2))[0]):
        picked.add(rng.choices(COOP_CODES, weights)[0])
    return [c for c in COOP_CODES if c in picked]


def deadline(rng: random.Random) -> str:
    """A month-end deadline between 2027-01 and 2028-06."""
    year = rng.choice((2027, 2027, 2028))
    month = rng.randint(1, 6 if year == 2028 else 12)
    return f"{year}-{month:02d}-{MONTH_ENDS[month]}"


def money_range(rng: random.Random, kind: str) -> tuple[int, int]:
    """A plausible amount range in 万元 for an item of a given kind."""
    if kind in ("设备", "设施", "装置"):
        low = rng.choice((20, 30, 50, 80, 100, 150))
    elif kind in ("系统", "平台"):
        low = rng.choice((8, 10, 15, 20, 30, 50))
    elif kind in ("方法", "模型", "算法", "服务", "软件", "工具", "方案"):
        low = rng.choice((3, 5, 8, 10, 15, 20))
    else:
        low = rng.choice((10, 15, 20, 30, 50, 80))
    high = int(round(low * rng.choice((1.5, 2, 2.5, 3, 4)) / 5) * 5)
    return low, max(high, low + 5)


def status(rng: random.Random) -> str:
    """Mostly active; a few closed or draft rows like real data."""
    return rng.choices(("active", "closed", "draft"), (95, 3, 2))[0]
