"""The inbox: a user's own messages, unread first, the unread badge, reading marks read."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inbox import selectors, services
from inbox.models import Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def msg(user, key, *, minutes_ago=10, **kw):
    m = services.message_enqueue(
        key=key,
        recipient=user,
        subject=kw.pop("subject", f"消息 {key}"),
        body="正文",
        url="/meetings/",
        due_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        **kw,
    )
    return m


def test_enqueue_is_idempotent_per_key():
    user = UserFactory(email="a@example.cn")
    first = msg(user, "k1")
    second = msg(user, "k1", subject="另一个标题")
    assert first.pk == second.pk and Message.objects.count() == 1
    assert first.email == "a@example.cn"


def test_a_withdrawn_unsent_message_is_planned_again_under_its_key():
    """A task's due date moved away and back (or a reopened task): the cancelled reminder comes
    back as the same row, pending again; a sent one never does (exactly once per key)."""
    user = UserFactory(email="b@example.cn")
    first = msg(user, "task:1:due-reminder:2026-12-01")
    services.message_cancel_pending(key_prefix="task:1:")
    again = msg(user, "task:1:due-reminder:2026-12-01", subject="新的提醒")
    assert again.pk == first.pk and again.state == Message.State.PENDING and again.subject == "新的提醒"
    Message.objects.filter(pk=first.pk).update(state=Message.State.SENT, sent_at=timezone.now())
    assert msg(user, "task:1:due-reminder:2026-12-01").state == Message.State.SENT
    assert Message.objects.count() == 1


def test_list_unread_first_with_counts_and_not_others_or_future_or_cancelled(client, secretary_user):
    other = UserFactory()
    old_read = msg(secretary_user, "a", minutes_ago=5)
    services.message_mark_read(actor=secretary_user, message=old_read)
    unread = msg(secretary_user, "b", minutes_ago=60, subject="未读的会议通知")
    msg(secretary_user, "future", minutes_ago=-600, subject="明天的提醒")
    cancelled = msg(secretary_user, "c", subject="已撤销")
    services.message_cancel_pending(key_prefix="c")
    msg(other, "d", subject="别人的消息")
    assert [m.pk for m in selectors.message_list(user=secretary_user)] == [unread.pk, old_read.pk]
    assert selectors.message_counts(user=secretary_user) == {"total": 2, "unread": 1}
    client.force_login(secretary_user)
    page = client.get(reverse("inbox:list")).content.decode()
    assert "未读的会议通知" in page and "共 2 条，未读 1 条" in page
    assert "明天的提醒" not in page and "别人的消息" not in page and cancelled.subject not in page


def test_detail_marks_read_and_links_to_the_object_others_get_404(client, secretary_user):
    m = msg(secretary_user, "x", subject="会议通知")
    intruder = UserFactory()
    client.force_login(intruder)
    assert client.get(reverse("inbox:detail", args=[m.pk])).status_code == 404
    client.force_login(secretary_user)
    response = client.get(reverse("inbox:detail", args=[m.pk]))
    assert response.status_code == 200 and 'href="/meetings/"' in response.content.decode()
    m.refresh_from_db()
    assert m.read_at is not None
    assert selectors.unread_count(user=secretary_user) == 0


def test_unread_badge_in_the_nav(client, secretary_user):
    msg(secretary_user, "n1")
    msg(secretary_user, "n2")
    client.force_login(secretary_user)
    page = client.get(reverse("inbox:list")).content.decode()
    assert 'data-testid="inbox-unread"' in page and ">2</span>" in page


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("inbox:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_context_processor_counts_once_and_only_for_users(rf, secretary_user, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from inbox.context_processors import inbox

    request = rf.get("/")
    request.user = AnonymousUser()
    assert inbox(request) == {}
    request.user = secretary_user
    msg(secretary_user, "z")
    with django_assert_num_queries(1):
        context = inbox(request)
        assert int(str(context["inbox_unread"])) == 1


def test_inbox_list_queries_do_not_grow(client, secretary_user, django_assert_max_num_queries):
    client.force_login(secretary_user)
    for i in range(3):
        msg(secretary_user, f"s{i}")
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("inbox:list"))
    for i in range(60):
        msg(secretary_user, f"l{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("inbox:list"))
