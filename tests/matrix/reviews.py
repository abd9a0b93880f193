"""R22 member reviews (reviews/): who sees what.

Township staff and secretaries run the reviews of their scope; county reviewers read them and
change nothing (403) — the code sheet included, since unused codes are voting credentials;
liaisons see none of these pages (404): they get only the inbox notice about their own unit's
member. The ballot pages need no log-in: the one-time code is the reviewer's credential, so every
role and an anonymous visitor get 200.
"""

import datetime

from reviews import services
from tests import matrix_builders as b
from tests.matrix import CHANGE, OTHER, POST_ONLY_AFTER_LOGIN, READ_ALL, S, committee_pk, nothing, pk

PUBLIC = S(200, 200, 200, 200, 200, anonymous=200)
NO_LIAISON = S(200, 200, 404, 200, 200)


def _campaign(p, year, *, opened=True, closed=False):
    b.post(p)  # a part-time member in force
    today = b.today()
    campaign = services.campaign_create(
        actor=p.actor,
        committee=p.committee,
        year=year,
        title=f"{year}年度兼职委员满意度测评",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=14),
        electorate={"party_member": 50, "deputy": 10, "resident": 20},
    )
    if opened:
        campaign = services.campaign_open(actor=p.actor, campaign=campaign)
    if closed:
        campaign = services.campaign_close(actor=p.actor, campaign=campaign)
    return campaign


@b.once
def draft_campaign(p):
    return _campaign(p, 2026, opened=False)


@b.once
def open_campaign(p):
    return _campaign(p, 2025)


@b.once
def closed_campaign(p):
    return _campaign(p, 2024, closed=True)


def ballot_code(p):
    [code] = services.codes_generate(actor=p.actor, campaign=open_campaign(p), category="party_member", count=1)
    return {"code": code.code}


MATRIX = {
    "reviews:campaign_list": (nothing, NO_LIAISON),
    "reviews:campaign_create": (committee_pk, CHANGE, OTHER),
    "reviews:campaign_detail": (pk(open_campaign), READ_ALL, OTHER),
    "reviews:campaign_update": (pk(draft_campaign), CHANGE, OTHER),
    "reviews:campaign_open": (pk(draft_campaign), POST_ONLY_AFTER_LOGIN),
    "reviews:campaign_close": (pk(open_campaign), POST_ONLY_AFTER_LOGIN),
    "reviews:codes_generate": (pk(open_campaign), POST_ONLY_AFTER_LOGIN),
    "reviews:code_sheet": (pk(open_campaign), CHANGE, OTHER),
    "reviews:tally": (pk(open_campaign), CHANGE, OTHER),
    "reviews:results": (pk(closed_campaign), READ_ALL, OTHER),
    "reviews:results_pdf": (pk(closed_campaign), READ_ALL, OTHER),
    "reviews:ballot_entry": (nothing, PUBLIC),
    "reviews:ballot_done": (nothing, PUBLIC),
    "reviews:ballot": (ballot_code, PUBLIC),
}
