"""Digest periods in China time: one calendar day (daily) or one ISO week (weekly) per digest."""

from __future__ import annotations

import datetime as dt

from matchmaker.core.config import CHINA
from matchmaker.core.messages import t


def parse_now(text: str | None) -> dt.datetime:
    """The run's moment: now, or an ISO time (a time without zone is read as China time)."""
    if not text:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(
            f"时间格式无效“{text}”，示例：2026-11-27T02:00+08:00 / invalid ISO time"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA)
    return moment.astimezone(dt.UTC)


def local(moment: dt.datetime) -> dt.datetime:
    """The moment in China time."""
    return moment.astimezone(CHINA)


def period_key(frequency: str, moment: dt.datetime) -> str:
    """'2026-11-27' for daily, '2026-W48' for weekly: at most one digest per key and subscriber."""
    day = local(moment).date()
    if frequency == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def period_label(frequency: str, moment: dt.datetime, language: str) -> str:
    """How the period reads in a subject line."""
    day = local(moment).date()
    if frequency == "weekly":
        year, week, _ = day.isocalendar()
        return t("digest.period.week", language, year=year, week=week)
    return t(
        "digest.period.day",
        language,
        year=day.year,
        month=day.month,
        day=day.day,
        iso=day.isoformat(),
    )


def today(moment: dt.datetime) -> dt.date:
    """The China calendar date of a moment (deadlines are China dates)."""
    return local(moment).date()
