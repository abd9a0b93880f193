"""Permission matrix of the R21 scoring rounds (assessment/urls_scoring.py).

The task of the place's unit: everyone in scope reads it (a liaison only their own unit's);
the scoring form is for the committee's body (secretary, township staff of the unit) — a county
reviewer who is not named reads only (403), the liaison is recused from their own unit (403),
the administrator reviews and finalises but does not score unless named (403). The self-report
and evidence are the liaison's (and the administrator's)."""

import datetime

from django.utils import timezone

from assessment import scoring
from assessment.models import Round, ScoringTask
from tests import matrix_builders as b
from tests.matrix import COUNTY as COUNTY_PLACES
from tests.matrix import POST_ONLY_AFTER_LOGIN, UNIT, S, nothing, pk

EVERYONE = S(200, 200, 200, 200, 200)


@b.once
def scoring_round(p):
    """The round of the place's county (one per county and year: places of one county share it)."""
    county = p.township.county
    existing = Round.objects.filter(county=county, year=timezone.localdate().year).first()
    if existing is not None:
        scoring.round_tasks_generate(actor=p.actor, round=existing)
        return existing
    return scoring.round_create(
        actor=p.actor,
        scheme=b.published_scheme(p),
        title="双百分联合评分",
        self_report_deadline=timezone.localdate() + datetime.timedelta(days=30),
    )


@b.once
def named_scorer(p):
    """A county scorer named on the place's round (the scorers page removes it)."""
    from tests.factories import UserFactory

    user = UserFactory(username=f"zzb_{p.where}", role="county", county=p.township.county)
    return scoring.round_scorer_add(actor=p.actor, round=scoring_round(p), user=user, body="county")


@b.once
def scoring_task(p):
    return ScoringTask.objects.get(round=scoring_round(p), unit=p.unit)


@b.once
def task_evidence(p):
    return scoring.task_evidence_add(actor=p.actor, task=scoring_task(p), title="签到表", file=b.pdf())


@b.once
def finalised_task(p):
    """The place's task, finalised (set directly: the matrix needs the state, not the journey)."""
    task = scoring_task(p)
    ScoringTask.objects.filter(pk=task.pk).update(
        status="finalised",
        committee_total=90,
        county_total=90,
        final_score=90,
        grade="良好",
        converted=18,
        finalised_at=timezone.now(),
    )
    return task


MATRIX = {
    "assessment:round_list": (nothing, EVERYONE),
    "assessment:round_create": (nothing, S(403, 403, 403, 403, 200)),
    "assessment:round_detail": (pk(scoring_round), EVERYONE, COUNTY_PLACES),
    "assessment:round_sync": (pk(scoring_round), POST_ONLY_AFTER_LOGIN),
    # the administrator edits the round and names/removes scorers; others who see the round: 403
    "assessment:round_update": (pk(scoring_round), S(403, 403, 403, 403, 200), COUNTY_PLACES),
    "assessment:round_scorers": (pk(scoring_round), S(403, 403, 403, 403, 200), COUNTY_PLACES),
    "assessment:round_scorer_remove": (pk(named_scorer), POST_ONLY_AFTER_LOGIN),
    # R21 township refinement of a published county scheme: township staff and the administrator
    "assessment:scheme_refine": (pk(b.published_scheme), S(200, 403, 403, 403, 200), COUNTY_PLACES),
    "assessment:round_release": (pk(scoring_round), POST_ONLY_AFTER_LOGIN),
    "assessment:task_detail": (pk(scoring_task), EVERYONE, UNIT),
    "assessment:task_score": (pk(scoring_task), S(200, 200, 403, 403, 403), UNIT),
    "assessment:task_self_report": (pk(scoring_task), S(403, 403, 200, 403, 200), UNIT),
    "assessment:task_evidence_add": (pk(scoring_task), S(403, 403, 200, 403, 200), UNIT),
    "assessment:task_evidence_download": (pk(task_evidence), EVERYONE, UNIT),
    "assessment:task_evidence_delete": (pk(task_evidence), POST_ONLY_AFTER_LOGIN),
    "assessment:task_return": (pk(scoring_task), POST_ONLY_AFTER_LOGIN),
    "assessment:task_review": (pk(scoring_task), POST_ONLY_AFTER_LOGIN),
    "assessment:task_finalise": (pk(scoring_task), POST_ONLY_AFTER_LOGIN),
    "assessment:task_correct": (pk(finalised_task), S(403, 403, 403, 403, 200), UNIT),
}
