"""Reads of the R21 scoring rounds, scoped to the user.

Who sees a unit's scoring task: the administrator all; county reviewers every task of their
county; township staff their township's; secretaries their community's; a liaison only their own
unit's task — its self-report always, its scores only once the round's results are released.
"""

from django.db.models import Q, QuerySet

from common.permissions import role_of, scope_q

from .models import ScoringTask


def task_visible_q(user) -> Q:
    """The ScoringTask rows ``user`` may see (liaisons: their own unit's)."""
    return scope_q(user, ScoringTask)


def task_scores_visible_q(user) -> Q:
    """The ScoringTask rows whose scores ``user`` may read: a liaison only after release."""
    q = task_visible_q(user)
    if role_of(user) == "liaison":
        q &= Q(round__released_at__isnull=False)
    return q


def task_list(*, user) -> QuerySet[ScoringTask]:
    return ScoringTask.objects.filter(task_visible_q(user)).select_related(
        "round", "unit__community__township", "sheet"
    )
