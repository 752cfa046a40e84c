"""Report periods as people write them: 2026 (year), 2026Q4 (quarter), 2026-11 (month).

Boundaries are China calendar days (Asia/Shanghai), the same clock as digest periods; they are
handed to the database as UTC instants.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from matchmaker.core.config import CHINA

PERIOD_PATTERN = r"^(20[0-9]{2})(?:-?[Qq]([1-4])|-(0[1-9]|1[0-2]))?$"
_PERIOD = re.compile(PERIOD_PATTERN)
PERIOD_HELP = "统计期：年 2026、季度 2026Q4、月 2026-11 / period: 2026, 2026Q4 or 2026-11"


class BadPeriod(ValueError):
    """The period text is not a year, quarter or month in the forms above."""


@dataclass(frozen=True)
class Period:
    """A calendar period: its label, first day and the day after its last."""

    label: str
    kind: str  # year | quarter | month
    first: dt.date
    after: dt.date

    @property
    def start(self) -> dt.datetime:
        """Start as a UTC instant (midnight China time on the first day)."""
        return dt.datetime.combine(self.first, dt.time(), CHINA).astimezone(dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """End (exclusive) as a UTC instant."""
        return dt.datetime.combine(self.after, dt.time(), CHINA).astimezone(dt.UTC)

    @property
    def label_zh(self) -> str:
        """How the period reads in Chinese: 2026 年第 4 季度."""
        if self.kind == "quarter":
            return f"{self.first.year} 年第 {(self.first.month - 1) // 3 + 1} 季度"
        if self.kind == "month":
            return f"{self.first.year} 年 {self.first.month} 月"
        return f"{self.first.year} 年"

    def contains(self, moment: dt.datetime | None) -> bool:
        """Whether an instant falls in the period (naive instants are UTC)."""
        if moment is None:
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return self.start <= moment < self.end


def parse_period(text: str) -> Period:
    """A period from `2026`, `2026Q4` (or `2026-Q4`) or `2026-11`; BadPeriod otherwise."""
    found = _PERIOD.match(text.strip())
    if found is None:
        raise BadPeriod(f"统计期格式无效“{text}”。{PERIOD_HELP}")
    year = int(found.group(1))
    if found.group(2):
        quarter = int(found.group(2))
        first = dt.date(year, 3 * quarter - 2, 1)
        after = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
        return Period(f"{year}Q{quarter}", "quarter", first, after)
    if found.group(3):
        month = int(found.group(3))
        first = dt.date(year, month, 1)
        after = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
        return Period(f"{year}-{month:02d}", "month", first, after)
    return Period(str(year), "year", dt.date(year, 1, 1), dt.date(year + 1, 1, 1))


def current_quarter(now: dt.datetime | None = None) -> Period:
    """The quarter a moment falls in (China time), the default report period."""
    day = (now or dt.datetime.now(dt.UTC)).astimezone(CHINA).date()
    return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored instant as aware UTC (SQLite hands back naive values, all written as UTC)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment
