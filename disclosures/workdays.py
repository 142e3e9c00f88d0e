"""Working days and calendar-day deadlines under China's official holiday schedule (RULES C).

One module for both clocks: the 20-day publication deadline (预算法第十四条) and the
20-working-day request deadline (政府信息公开条例第三十三条).

A day's status comes from, in order:
1. a CalendarDay row entered by the administrator (corrections, or a newly announced year);
2. the schedule packaged in chinesecalendar (国务院办公厅 notices it shipped with);
3. in a year with no known schedule, Monday to Friday less the statutory holidays of the
   全国年节及纪念日放假办法 (元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆; the lunar ones computed, and a holiday
   falling on a weekend made up on the next working day, 第六条) — as the `holidays` package computes
   them. Only the 调休 make-up days are unknown until the State Council publishes the year, so callers
   must tell the user that such dates are provisional: `unknown_years()` lists those years.
"""

import datetime
from functools import lru_cache

import chinese_calendar
import holidays

ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=1)
def _packaged_years() -> frozenset[int]:
    return frozenset(day.year for day in chinese_calendar.holidays) | frozenset(
        day.year for day in chinese_calendar.workdays
    )


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> frozenset[datetime.date]:
    """The statutory rest days of a year by the 全国年节及纪念日放假办法, without any 调休."""
    return frozenset(holidays.country_holidays("CN", years=year))


def _overrides(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    from disclosures.models import CalendarDay

    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))


def _entered_years() -> set[int]:
    from disclosures.models import CalendarYear

    return set(CalendarYear.objects.values_list("year", flat=True))


def known_years() -> set[int]:
    return set(_packaged_years()) | _entered_years()


def unknown_years(start: datetime.date, end: datetime.date) -> list[int]:
    """Years between the two dates (inclusive) for which no official schedule is known."""
    known = known_years()
    return [year for year in range(min(start, end).year, max(start, end).year + 1) if year not in known]


class Calendar:
    """Answers is-this-a-workday for a span of dates with one database query.

    Use `calendar()` to get one; it looks ahead far enough for any deadline the portal computes.
    """

    def __init__(self, start: datetime.date, end: datetime.date):
        self.start, self.end = start, end
        self.overrides = _overrides(start, end)
        self.known = known_years()

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in _packaged_years():
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5 and day not in statutory_holidays(day.year)

    def is_known(self, day: datetime.date) -> bool:
        return day in self.overrides or day.year in self.known

    def next_workday(self, day: datetime.date) -> datetime.date:
        """The day itself if it is a workday, else the first workday after it."""
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def add_workdays(self, start: datetime.date, count: int) -> datetime.date:
        """The `count`-th working day after `start`, not counting `start` itself (条例第三十三条)."""
        day = start
        while count > 0:
            day += ONE_DAY
            if self.is_workday(day):
                count -= 1
        return day

    def workdays_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (negative if `end` is earlier)."""
        if end < start:
            return -self.workdays_between(end, start)
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_workday(day):
                count += 1
        return count


def calendar(start: datetime.date, end: datetime.date | None = None) -> Calendar:
    """A calendar covering `start` to `end` (default: half a year on, enough for 20 + 20 + 15 working days)."""
    end = end or start + datetime.timedelta(days=183)
    return Calendar(min(start, end) - datetime.timedelta(days=7), max(start, end) + datetime.timedelta(days=60))


def is_workday(day: datetime.date) -> bool:
    return calendar(day, day).is_workday(day)


def add_workdays(start: datetime.date, count: int) -> datetime.date:
    return calendar(start).add_workdays(start, count)


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    return calendar(start, end).workdays_between(start, end)


def calendar_day_deadline(start: datetime.date, days: int) -> datetime.date:
    """`days` calendar days after `start`, not counting `start`; a rest day moves it to the next workday.

    预算法第十四条 gives 20 日 (calendar days) after approval; counting by 民法典第二百零一、二百零三条:
    the start day is not counted, and a last day that falls on a rest day moves to the next working day.
    A 调休 working Saturday or Sunday is a working day, so a deadline on it does not move.
    """
    last = start + datetime.timedelta(days=days)
    return calendar(last, last + datetime.timedelta(days=30)).next_workday(last)
