"""R27 proposals (proposals/): who sees what.

Township staff and the secretary run the proposals of their scope; county reviewers read them
(403 on entering one); a liaison sees the proposals their unit handles (another unit's is a 404)
and may enter one for their community. Actions are POST-only.
"""

from proposals import services
from tests import matrix_builders as b
from tests.matrix import OTHER, POST_ONLY, READ_ALL, UNIT, S, committee_pk, nothing, pk

SEEN_BY_HANDLER = S(200, 200, 200, 200, 200)


@b.once
def proposal(p):
    proposal = services.proposal_table(
        actor=p.actor,
        committee=p.committee,
        channel="joint",
        title="关于增设小区充电桩的建议",
        problem="电动车楼道充电。",
        suggestion="集中建设充电桩。",
        lead_proposer="王建国",
        co_signers=["李红", "赵强"],
        tabled_on=b.today(),
        attachments=[b.pdf("附件.pdf")],
    )
    proposal = services.proposal_register(actor=p.actor, proposal=proposal)
    return services.proposal_assign(actor=p.actor, proposal=proposal, units=[p.unit], due_on=b.today(), today=b.today())


def attachment(p):
    return proposal(p).attachments.get()


def assignment(p):
    return proposal(p).assignments.get()


MATRIX = {
    "proposals:proposal_list": (nothing, S(200, 200, 200, 200, 200)),
    "proposals:proposal_create": (nothing, S(200, 200, 200, 403, 200)),
    "proposals:proposal_detail": (pk(proposal), SEEN_BY_HANDLER, UNIT),
    "proposals:proposal_register": (pk(proposal), POST_ONLY),
    "proposals:proposal_decline": (pk(proposal), POST_ONLY),
    "proposals:proposal_assign": (pk(proposal), POST_ONLY),
    "proposals:proposal_feedback": (pk(proposal), POST_ONLY),
    "proposals:proposal_reopen": (pk(proposal), POST_ONLY),
    "proposals:proposal_commend": (pk(proposal), POST_ONLY),
    "proposals:proposal_to_agenda": (pk(proposal), POST_ONLY),
    "proposals:assignment_reply": (pk(assignment), POST_ONLY),
    "proposals:attachment_download": (pk(attachment), SEEN_BY_HANDLER, UNIT),
    "proposals:half_year_report": (committee_pk, READ_ALL, OTHER),
    "proposals:half_year_report_pdf": (committee_pk, READ_ALL, OTHER),
}
