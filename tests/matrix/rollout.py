"""Permission matrix of the rollout app (R25): plans are the township's (county reads them),
a community's progress page is the committee scope's, plan documents are read by the community's
liaisons too (they comment on them)."""

from rollout import services
from rollout.models import CommunityProgress, RuleDocument
from tests import matrix_builders as b
from tests.matrix import EVERYONE, OTHER, POST_ONLY_AFTER_LOGIN, READ_ALL, REDIRECTS, S, nothing, pk

TOWNSHIP_READ = S(200, 404, 404, 200, 200)  # township-level pages: township staff, county, admin


@b.once
def plan(p):
    return services.plan_create(actor=p.actor, township=p.township, year=2030, pilot=p.community)


@b.once
def summarised_plan(p):
    the_plan = plan(p)
    b.post(p)
    b.held(p)
    return services.pilot_mark_summarised(actor=p.actor, plan=the_plan, summary="试点经验", file=b.pdf("总结.pdf"))


@b.once
def progress(p):
    plan(p)
    return CommunityProgress.objects.get(community=p.community)


@b.once
def event(p):
    import datetime

    return services.publicity_event_record(
        actor=p.actor,
        community=p.community,
        held_on=datetime.date(2024, 2, 10),
        title="动员大会",
        kind="meeting",
        file=b.png(),
    )


@b.once
def document(p):
    return services.plan_document_upload(actor=p.actor, community=p.community, title="实施方案", file=b.pdf())


@b.once
def rule_document(p):
    return services.rule_document_upload(
        actor=p.actor, community=p.community, kind=RuleDocument.Kind.MEETING_RULES, title="会议制度", file=b.pdf()
    )


def with_plan(p):
    plan(p)
    return {}


MATRIX = {
    # each role lands where its rollout work is (secretaries on their progress, liaisons on the documents)
    "rollout:home": (with_plan, REDIRECTS),
    "rollout:plan_list": (nothing, TOWNSHIP_READ),
    # only township staff (and administrators) make plans; the county reads them
    "rollout:plan_create": (lambda p: {"township_id": p.township.pk}, S(200, 404, 404, 403, 200), OTHER),
    "rollout:plan_detail": (pk(plan), TOWNSHIP_READ, OTHER),
    "rollout:plan_months": (pk(plan), POST_ONLY_AFTER_LOGIN),
    "rollout:plan_pilot": (pk(plan), POST_ONLY_AFTER_LOGIN),
    "rollout:pilot_summarise": (pk(plan), POST_ONLY_AFTER_LOGIN),
    "rollout:pilot_summary_file": (pk(summarised_plan), TOWNSHIP_READ, OTHER),
    "rollout:progress_detail": (pk(progress), READ_ALL, OTHER),
    "rollout:stage_change": (pk(progress), POST_ONLY_AFTER_LOGIN),
    "rollout:progress_refresh": (pk(progress), POST_ONLY_AFTER_LOGIN),
    "rollout:publicity_create": (pk(progress), POST_ONLY_AFTER_LOGIN),
    "rollout:document_upload": (pk(progress), POST_ONLY_AFTER_LOGIN),
    "rollout:rule_upload": (pk(progress), POST_ONLY_AFTER_LOGIN),
    "rollout:publicity_file": (pk(event), READ_ALL, OTHER),
    "rollout:rule_approve": (pk(rule_document), POST_ONLY_AFTER_LOGIN),
    "rollout:rule_file": (pk(rule_document), READ_ALL, OTHER),
    "rollout:document_list": (nothing, EVERYONE),
    "rollout:document_detail": (pk(document), EVERYONE, OTHER),
    "rollout:document_file": (pk(document), EVERYONE, OTHER),
    "rollout:opinion_save": (pk(document), POST_ONLY_AFTER_LOGIN),
    "rollout:document_close": (pk(document), POST_ONLY_AFTER_LOGIN),
}
