"""Report periods as people type them, with China-time boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from matchmaker.stats.periods import BadPeriod, parse_period


@pytest.mark.parametrize(
    ("text", "label", "first", "after"),
    [
        ("2026Q4", "2026Q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
        ("2026-q1", "2026Q1", dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
        ("2026-11", "2026-11", dt.date(2026, 11, 1), dt.date(2026, 12, 1)),
        ("2026-12", "2026-12", dt.date(2026, 12, 1), dt.date(2027, 1, 1)),
        (" 2026 ", "2026", dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
    ],
)
def test_years_quarters_and_months_parse(
    text: str, label: str, first: dt.date, after: dt.date
) -> None:
    period = parse_period(text)
    assert (period.label, period.first, period.after) == (label, first, after)


def test_boundaries_are_midnight_china_time() -> None:
    period = parse_period("2026Q4")
    assert period.start == dt.datetime(2026, 9, 30, 16, tzinfo=dt.UTC)
    assert period.label_zh == "2026 年第 4 季度"
    assert period.contains(dt.datetime(2026, 9, 30, 16, 0, tzinfo=dt.UTC))
    assert not period.contains(dt.datetime(2026, 9, 30, 15, 59, tzinfo=dt.UTC))
    assert not period.contains(dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC))


@pytest.mark.parametrize("text", ["2026Q5", "2026-13", "26Q4", "Q4", "2026-1", "", "1999"])
def test_anything_else_is_refused_with_the_forms_to_use(text: str) -> None:
    with pytest.raises(BadPeriod, match="2026Q4"):
        parse_period(text)
