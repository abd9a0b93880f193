"""The landing page: each role lands on its dashboard (issue #7, ``dashboards/``)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from dashboards.views import landing_url_name


@login_required
def home(request):
    return redirect(landing_url_name(request.user))
