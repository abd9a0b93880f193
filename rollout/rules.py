"""The R25 rules as plain functions (no queries): labels, planned months and lateness.

- A community is *late* when the planned end month of the stage it is in has passed in the
  plan's year and that stage is not complete (R25: the months are the plan's, editable by the
  township; defaults 宣传 Feb–Mar, 摸底 Mar, 方案 Apr, 试点 Apr–Nov, 建章立制 Dec). A community that
  has not started is late once stage 1's planned end has passed.
- THE PILOT GATE (R25.4): a community other than the pilot may enter stage 4 only after the
  township marked the pilot summarised (``may_enter``).
"""

import datetime

from django.utils.translation import gettext as _

from .models import DEFAULT_MONTHS, Stage


def label(stage: int) -> str:
    """ "4 试点先行,总结推广"; "未开始" for 0."""
    if not stage:
        return str(Stage.NOT_STARTED.label)
    return f"{stage} {Stage(stage).label}"


def month_label(month: int) -> str:
    return _("%(m)s月") % {"m": month}


def months_label(start: int, end: int) -> str:
    if start == end:
        return month_label(start)
    return _("%(start)s—%(end)s月") % {"start": start, "end": end}


def planned_end_passed(*, year: int, end_month: int, today: datetime.date) -> bool:
    """The planned end month (inclusive) of ``year`` is over on ``today``."""
    return (today.year, today.month) > (year, end_month)


def is_late(*, stage: int, done: bool, months: dict[int, tuple[int, int]], year: int, today: datetime.date) -> bool:
    """R25: the current stage's planned end has passed and the stage is not complete."""
    if done:
        return False
    start, end = months.get(max(stage, 1), DEFAULT_MONTHS[max(stage, 1)])
    return planned_end_passed(year=year, end_month=end, today=today)


def may_enter(*, stage: int, is_pilot: bool, pilot_summarised: bool) -> bool:
    """THE PILOT GATE (R25.4): non-pilot communities start stage 4 only after the pilot is summarised."""
    if stage >= Stage.PILOT and not is_pilot:
        return pilot_summarised
    return True
