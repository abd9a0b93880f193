"""The landing page: each role lands on its dashboard (issue #7, ``dashboards/``)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from accounts.roles import AUDITOR, SECADMIN, SYSADMIN
from dashboards.views import landing_url_name

# 三员 (issue #14 item 7) land on their own pages, not on a business dashboard.
OFFICER_LANDING = {SYSADMIN: "accounts:user_list", SECADMIN: "accounts:security_home", AUDITOR: "audit:event_list"}


@login_required
def home(request):
    user = request.user
    if not user.is_superuser and user.role in OFFICER_LANDING:
        return redirect(OFFICER_LANDING[user.role])
    return redirect(landing_url_name(user))
