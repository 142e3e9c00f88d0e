"""The 20-day publication clock of every disclosure (预算法第十四条, RULES A.1).

Deadline = approval date + 20 calendar days, the approval day not counted; a deadline on a rest day
moves to the next working day (民法典第二百零一、二百零三条 by analogy). The clock is judged on the
first publication: a later correction does not make a disclosure late.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from disclosures import workdays

DAYS_TO_PUBLISH = 20  # 预算法第十四条: "批复后二十日内"


def deadline(approved_on: datetime.date) -> datetime.date:
    return workdays.calendar_day_deadline(approved_on, DAYS_TO_PUBLISH)


@dataclass
class ClockState:
    state: str  # due | due_today | overdue | published_on_time | published_late
    deadline: datetime.date
    days: int  # days left (due), days overdue, or days late; 0 otherwise
    unknown_years: list

    @property
    def label(self) -> str:
        return {
            "due": f"距截止还有 {self.days} 天",
            "due_today": "今天截止",
            "overdue": f"已逾期 {self.days} 天",
            "published_on_time": "按时公开",
            "published_late": f"逾期 {self.days} 天公开",
        }[self.state]

    @property
    def is_late(self) -> bool:
        return self.state in ("overdue", "published_late")

    @property
    def calendar_note(self) -> str:
        """Said on screen when the deadline was computed without an official holiday schedule (RULES C)."""
        if not self.unknown_years:
            return ""
        years = "、".join(str(y) for y in self.unknown_years)
        return f"{years} 年的节假日安排尚未公布，截止日期暂按法定节假日推算（调休上班日未计入），公布后可能变动。"


def clock(disclosure, today: datetime.date | None = None) -> ClockState:
    today = today or timezone.localdate()
    due = deadline(disclosure.approved_on)
    unknown = workdays.unknown_years(disclosure.approved_on, due)
    if disclosure.published_on is not None:
        late = (disclosure.published_on - due).days
        if late > 0:
            return ClockState("published_late", due, late, unknown)
        return ClockState("published_on_time", due, 0, unknown)
    left = (due - today).days
    if left > 0:
        return ClockState("due", due, left, unknown)
    if left == 0:
        return ClockState("due_today", due, 0, unknown)
    return ClockState("overdue", due, -left, unknown)
