"""The 20-day publication clock (预算法第十四条; RULES A.1, C), with a frozen clock."""

import datetime

import time_machine

from disclosures.clock import clock, deadline
from disclosures.models import CalendarDay, CalendarYear, Disclosure

D = datetime.date


def test_it_moves_a_deadline_in_the_national_day_holiday_to_the_next_workday(db):
    # 2025-09-18 + 20 days = 2025-10-08, the last day of the 2025 National Day holiday.
    assert deadline(D(2025, 9, 18)) == D(2025, 10, 9)


def test_it_keeps_a_deadline_on_a_make_up_working_sunday(db):
    # 2025-09-28 is a Sunday worked in exchange for the National Day holiday (调休上班).
    assert D(2025, 9, 28).weekday() == 6
    assert deadline(D(2025, 9, 8)) == D(2025, 9, 28)


def test_it_moves_a_deadline_on_an_ordinary_saturday_to_monday(db):
    # 2025-03-15 is a plain Saturday.
    assert deadline(D(2025, 2, 23)) == D(2025, 3, 17)


def test_it_counts_statutory_holidays_and_says_so_in_a_year_without_a_schedule(db, staff):
    disclosure = Disclosure.objects.create(
        department=staff.department_a, year=2027, kind="budget", approved_on=D(2027, 1, 12), format="liaoning-budget-18"
    )
    with time_machine.travel(datetime.datetime(2027, 1, 20, 9, tzinfo=datetime.timezone.utc)):
        state = clock(disclosure)
    # 2027-02-01 is a Monday, and no statutory holiday falls near it.
    assert state.deadline == D(2027, 2, 1)
    # 2027-02-08, a Monday, is in the 春节 days computed for 2027 (除夕 2-5, 初一至初三 2-6…2-8, with the
    # weekend days made up on 2-9 and 2-10): the deadline moves to the first working day after them.
    assert deadline(D(2027, 1, 19)) == D(2027, 2, 11)
    assert state.unknown_years == [2027]
    assert "2027 年的节假日安排尚未公布，截止日期暂按法定节假日推算" in state.calendar_note


def test_an_entered_schedule_moves_the_deadline_and_silences_the_warning(db, staff):
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕测试号")
    CalendarDay.objects.create(date=D(2027, 2, 1), is_workday=False, name="春节")
    CalendarDay.objects.create(date=D(2027, 2, 2), is_workday=False, name="春节")
    disclosure = Disclosure.objects.create(
        department=staff.department_a, year=2027, kind="budget", approved_on=D(2027, 1, 12), format="liaoning-budget-18"
    )
    state = clock(disclosure, D(2027, 1, 20))
    assert state.deadline == D(2027, 2, 3)
    assert state.unknown_years == []
    assert state.calendar_note == ""


def test_each_state_of_the_clock_reads_as_staff_expect(db, staff):
    disclosure = Disclosure.objects.create(
        department=staff.department_a, year=2025, kind="budget", approved_on=D(2025, 9, 18), format="liaoning-budget-18"
    )
    assert clock(disclosure, D(2025, 10, 4)).label == "距截止还有 5 天"
    assert clock(disclosure, D(2025, 10, 9)).label == "今天截止"
    assert clock(disclosure, D(2025, 10, 12)).label == "已逾期 3 天"
    disclosure.published_on = D(2025, 10, 9)
    assert clock(disclosure).label == "按时公开"
    disclosure.published_on = D(2025, 10, 13)
    assert clock(disclosure).label == "逾期 4 天公开"
