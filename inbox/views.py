"""The user's inbox: their own messages only (anyone else's is a 404)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from . import selectors, services

PAGE_SIZE = 20


@login_required
def message_list(request):
    page = Paginator(selectors.message_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.message_counts(user=request.user)
    return render(request, "inbox/message_list.html", {"page_obj": page, "counts": counts})


@login_required
def message_detail(request, pk: int):
    message = selectors.message_get(user=request.user, pk=pk)
    services.message_mark_read(actor=request.user, message=message)
    return render(request, "inbox/message_detail.html", {"message": message})
