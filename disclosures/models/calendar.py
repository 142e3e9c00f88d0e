from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose official holiday schedule (国务院办公厅节假日安排) has been entered by staff.

    chinesecalendar carries the published schedules it shipped with; when the State Council
    announces a new year (each November or December), the administrator enters its rest and
    make-up days as CalendarDay rows and marks the year as known here.
    """

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    source = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("如：国办发明电〔2026〕×号"))

    class Meta:
        verbose_name = _("节假日安排年度")
        verbose_name_plural = _("节假日安排年度")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} 年"


class CalendarDay(models.Model):
    """One date whose status differs from the plain weekday rule, or corrects the packaged schedule.

    A statutory holiday or a day moved next to it is a rest day on a weekday; a 调休 make-up day is
    a workday on a Saturday or Sunday (RULES C).
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    name = models.CharField(_("说明"), max_length=50, blank=True, help_text=_("如：国庆节、国庆节调休上班"))

    class Meta:
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.name}".strip()
