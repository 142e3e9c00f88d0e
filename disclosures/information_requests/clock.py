"""The request clock, in working days as 条例第三十三条 counts them.

- 20 working days after receipt, not counting the receipt day (第三十一条 receipt, 第三十三条 period);
- an amendment notice sent within 7 working days of receipt stops the clock; it restarts, from zero, on
  the day the amended application arrives (第三十条), which `InformationRequest.clock_started_on`
  records. A later notice stops nothing: the period counts on from receipt;
- time spent consulting a third party is not counted (第三十二、三十三条): from the day after the
  letter is sent up to the day of the reply, at most 15 working days;
- the time between a fee notice and payment is not counted (《政府信息公开信息处理费管理办法》第七条);
- one approved extension adds at most 20 working days (第三十三条).

Working days come from the shared calendar (disclosures.workdays: chinesecalendar plus the
editable table), so 调休 make-up Saturdays count and holidays do not.
"""

import datetime
from dataclasses import dataclass, field

from disclosures import workdays

from .models import Status

PERIOD = 20  # 条例第三十三条第一款
MAX_EXTENSION = 20  # 条例第三十三条第二款
CONSULTATION_PERIOD = 15  # 条例第三十二条
AMENDMENT_WINDOW = 7  # 条例第三十条: the notice goes out within 7 working days of receipt
FEE_PERIOD = 20  # 国办函〔2020〕109号: pay within 20 working days of the notice
ONE_DAY = datetime.timedelta(days=1)


@dataclass
class Clock:
    due_on: datetime.date | None
    paused: bool = False
    stopped: bool = False  # awaiting amendment: no running period at all
    unknown_years: list[int] = field(default_factory=list)

    def remaining(self, today: datetime.date) -> int | None:
        """Working days left after today up to the due date; negative when overdue."""
        if self.due_on is None:
            return None
        return workdays.workdays_between(today, self.due_on)


def pauses(request):
    """(first day not counted, last day not counted) for each pause after the clock (re)started."""
    start = request.clock_started_on
    spans = []
    for consultation in request.consultations.all():
        if consultation.sent_on >= start:
            spans.append((consultation.sent_on + ONE_DAY, consultation.pause_end))
    for notice in request.fee_notices.all():
        if notice.issued_on >= start:
            spans.append((notice.issued_on + ONE_DAY, notice.pause_end))
    return spans


def count_forward(start, count, spans, cal):
    """The `count`-th working day after `start` that no pause covers."""
    day = start
    while count > 0:
        day += ONE_DAY
        if cal.is_workday(day) and not any(first <= day <= last for first, last in spans):
            count -= 1
    return day


def stops_clock(request) -> bool:
    """Awaiting an amendment asked for in time (条例第三十条): no period runs."""
    if request.status != Status.AWAITING_AMENDMENT:
        return False
    amendment = getattr(request, "amendment", None)
    return amendment is None or not amendment.late


def due_date(request) -> datetime.date | None:
    if request.clock_started_on is None or stops_clock(request):
        return None
    extension = request.approved_extension
    total = PERIOD + (extension.days if extension else 0)
    spans = pauses(request)
    cal = workdays.calendar(request.clock_started_on, request.clock_started_on + datetime.timedelta(days=365))
    return count_forward(request.clock_started_on, total, spans, cal)


def clock(request) -> Clock:
    due = request.due_on
    start = request.clock_started_on
    return Clock(
        due_on=due,
        paused=request.status in (Status.CONSULTATION, Status.AWAITING_FEE),
        stopped=stops_clock(request),
        unknown_years=workdays.unknown_years(start, due) if start and due else [],
    )


def amendment_window_ends(received_on: datetime.date) -> datetime.date:
    """条例第三十条: the last day an amendment notice may go out (7 working days after receipt)."""
    return workdays.add_workdays(received_on, AMENDMENT_WINDOW)


def unknown_years_note(years) -> str:
    if not years:
        return ""
    listed = "、".join(f"{year} 年" for year in years)
    return f"{listed}的节假日安排尚未公布，期限暂按法定节假日推算（调休上班日未计入）；安排公布后期限可能变化。"
