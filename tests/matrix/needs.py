"""R28 needs and resources (needs/): who sees what.

Township staff and the secretary run the needs of their scope; county reviewers read (403 on the
form); a liaison sees the needs asked of or claimed by their unit (another unit's is a 404) and
keeps their own unit's resources. Actions are POST-only.
"""

from needs import services
from tests import matrix_builders as b
from tests.matrix import OTHER, POST_ONLY, READ_ALL, UNIT, S, committee_pk, nothing, pk

SEEN_BY_UNIT = S(200, 200, 200, 200, 200)


@b.once
def need(p):
    need = services.need_collect(
        actor=p.actor,
        committee=p.committee,
        title="楼道照明灯损坏",
        category="safety",
        asked_by="张大爷",
        collected_on=b.today(),
    )
    services.need_request(actor=p.actor, need=need, unit=p.unit)
    return need


def need_request(p):
    return need(p).requests.get()


@b.once
def resource(p):
    return services.resource_save(actor=p.actor, unit=p.unit, kind="venue", title="职工活动室")


MATRIX = {
    "needs:need_list": (nothing, S(200, 200, 200, 200, 200)),
    "needs:need_create": (nothing, S(200, 200, 403, 403, 200)),
    "needs:need_detail": (pk(need), SEEN_BY_UNIT, UNIT),
    "needs:need_request": (pk(need), POST_ONLY),
    "needs:need_project": (pk(need), POST_ONLY),
    "needs:need_merge": (pk(need), POST_ONLY),
    "needs:need_start": (pk(need), POST_ONLY),
    "needs:need_done": (pk(need), POST_ONLY),
    "needs:need_visit": (pk(need), POST_ONLY),
    "needs:request_accept": (pk(need_request), POST_ONLY),
    "needs:request_decline": (pk(need_request), POST_ONLY),
    "needs:resource_list": (committee_pk, READ_ALL, OTHER),
    "needs:unit_resources": (lambda p: {"pk": p.unit.pk}, SEEN_BY_UNIT, UNIT),
    "needs:resource_delete": (pk(resource), POST_ONLY),
}
