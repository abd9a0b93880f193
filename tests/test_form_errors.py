"""Issue #15 item 4: a required radio group has no pre-selected "---------" choice, and a form
error (radio groups included) is shown next to its field, what was typed kept."""

import datetime
import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms as dj_forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from meetings.models import AgendaItem
from tests import matrix_builders as b
from tests.matrix_builders import Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda_url(world, township_user, secretary_user, liaison_user, county_user, admin_user):
    users = {"secretary": secretary_user, "admin": admin_user, "liaison": liaison_user}
    meeting = b.meeting(Place(world, users))
    return reverse("meetings:agenda_item_create", kwargs={"pk": meeting.pk})


def test_required_radio_group_offers_no_blank_choice(client, secretary_user, agenda_url):
    client.force_login(secretary_user)
    response = client.get(agenda_url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="category"' in html
    assert "---------" not in html
    assert not re.search(r'<input[^>]*name="category"[^>]*checked', html)


def test_radio_group_error_is_shown_next_to_the_group(client, secretary_user, agenda_url):
    client.force_login(secretary_user)
    before = AgendaItem.objects.count()
    response = client.post(agenda_url, {"title": "停车整治", "planned_minutes": "20"})
    html = response.content.decode()
    assert response.status_code == 200
    assert AgendaItem.objects.count() == before
    group = html[html.index('id="div_id_category"') :]
    group = group[: group.index('id="div_id_title"')]
    assert "这个字段是必填项。" in group or "此字段为必填项" in group or "必填" in group
    assert 'value="停车整治"' in html


# --- every form with a radio group or a checkbox group ------------------------------------------------
#
# The project's forms are walked (every ``forms`` module of the apps); each form that has a
# RadioSelect or CheckboxSelectMultiple is listed below with how to build it, bound to empty data,
# and rendered the way its page renders it: ``{% crispy form %}`` when it has a helper, else
# ``{{ form|crispy }}``; the ballot (its radios are added per member, rendered by hand) through its
# real page. A new form with such a group that is not listed fails ``test_every_radio_form_is_checked``.

APPS = (
    "accounts",
    "assessment",
    "cobuilding",
    "committees",
    "dashboards",
    "funding",
    "inbox",
    "meetings",
    "needs",
    "proposals",
    "reviews",
    "rollout",
    "yearend",
)


def _form_modules():
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            last = info.name.rsplit(".", 1)[-1]
            if "forms" in info.name.split(".")[1:] or last.endswith("forms"):
                yield importlib.import_module(info.name)


def _radio_form_classes() -> set[str]:
    found = set()
    for module in _form_modules():
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, dj_forms.BaseForm) and cls.__module__ == module.__name__):
                continue
            if any(isinstance(f.widget, dj_forms.RadioSelect) for f in cls.base_fields.values()):
                found.add(f"{module.__name__}.{name}")
    return found


def _meeting(w):
    from meetings.services import scheduling

    return scheduling.meeting_schedule(
        actor=w.secretary,
        committee=w.mine,
        kind="work",
        title="第四季度工作会议",
        starts_at=timezone.now() + datetime.timedelta(days=10),
        duration_minutes=90,
        place="党群服务中心",
    )


def _build(name: str, w):
    """The form ``name`` bound to empty data, with the arguments its view gives it."""
    from assessment import forms as assessment_forms
    from assessment import scoring_forms
    from cobuilding import forms as cobuilding_forms
    from committees.forms import posts as post_forms
    from committees.models import Committee, PostApproval, Unit
    from meetings.forms import meetings as meeting_forms
    from meetings.forms import votes as vote_forms
    from needs import forms as needs_forms
    from proposals import forms as proposal_forms
    from tests.factories import PostFactory

    units = Unit.objects.filter(community=w.mine.community)
    builders = {
        "assessment.forms.DepartmentForm": lambda: assessment_forms.DepartmentForm({}),
        "assessment.scoring_forms.RoundCreateForm": lambda: scoring_forms.RoundCreateForm({}),
        "cobuilding.forms.PledgeForm": lambda: cobuilding_forms.PledgeForm({}, units=units),
        "committees.forms.posts.PostNominateForm": lambda: post_forms.PostNominateForm({}, committee=w.mine),
        "committees.forms.posts.PostApprovalForm": lambda: post_forms.PostApprovalForm(
            {}, post=PostFactory(committee=w.mine, unit=w.unit), body=PostApproval.Body.ORG_DEPT
        ),
        "meetings.forms.meetings.AgendaItemForm": lambda: meeting_forms.AgendaItemForm({}),
        "meetings.forms.meetings.ReplyForm": lambda: meeting_forms.ReplyForm({}),
        "meetings.forms.votes.MotionForm": lambda: vote_forms.MotionForm({}, meeting=_meeting(w)),
        "meetings.forms.votes.VoteForm": lambda: vote_forms.VoteForm({}),
        "needs.forms.VisitForm": lambda: needs_forms.VisitForm({}),
        "needs.forms.ResourceForm": lambda: needs_forms.ResourceForm({}),
        "proposals.forms.ProposalForm": lambda: proposal_forms.ProposalForm(
            {}, committees=Committee.objects.filter(pk=w.mine.pk), units=units
        ),
        "proposals.forms.AssignForm": lambda: proposal_forms.AssignForm({}, units=units),
        "proposals.forms.FeedbackForm": lambda: proposal_forms.FeedbackForm({}),
    }
    return builders[name]()


RADIO_FORMS = [
    "assessment.forms.DepartmentForm",
    "assessment.scoring_forms.RoundCreateForm",
    "cobuilding.forms.PledgeForm",
    "committees.forms.posts.PostApprovalForm",
    "committees.forms.posts.PostNominateForm",
    "meetings.forms.meetings.AgendaItemForm",
    "meetings.forms.meetings.ReplyForm",
    "meetings.forms.votes.MotionForm",
    "meetings.forms.votes.VoteForm",
    "needs.forms.ResourceForm",
    "needs.forms.VisitForm",
    "proposals.forms.AssignForm",
    "proposals.forms.FeedbackForm",
    "proposals.forms.ProposalForm",
]


def test_every_radio_form_is_checked():
    """The walk finds the forms with radio or checkbox groups; each is in RADIO_FORMS (the ballot,
    whose radios are added per member, is checked through its page below)."""
    assert _radio_form_classes() == set(RADIO_FORMS)


def _render(form) -> str:
    source = "{% load crispy_forms_tags %}" + ("{% crispy form %}" if hasattr(form, "helper") else "{{ form|crispy }}")
    return Template(source).render(Context({"form": form}))


def _block(html: str, name: str) -> str:
    """The field's own wrapper (crispy's ``div_id_<name>``) up to the next field's."""
    start = html.index(f'id="div_id_{name}"')
    end = html.find('id="div_id_', start + 1)
    return html[start : end if end != -1 else len(html)]


@pytest.fixture
def w(world, secretary_user):
    world.secretary = secretary_user
    return world


@pytest.mark.parametrize("name", RADIO_FORMS)
def test_radio_form_errors_are_next_to_each_field(name, w):
    form = _build(name, w)
    assert not form.is_valid()
    html = _render(form)
    for field_name, field in form.fields.items():
        if not isinstance(field.widget, dj_forms.RadioSelect):
            continue
        # (a) a required radio group has no blank "---------" choice and nothing pre-selected
        if field.required and not isinstance(field.widget, dj_forms.CheckboxSelectMultiple):
            values = [str(value) for value, _label in field.choices]
            assert "" not in values, f"{name}.{field_name} offers a blank choice"
            assert not re.search(rf'<input[^>]*name="{field_name}"[^>]*checked', html)
            assert "---------" not in _block(html, field_name)
    assert form.errors, name
    for field_name, errors in form.errors.items():
        if field_name == "__all__":
            continue
        block = _block(html, field_name)
        # (b) the message is inside the field's own block, marked invalid there
        for message in errors:
            assert escape(message) in block, f"{name}.{field_name}: {message} not next to the field"
        assert "is-invalid" in block or "invalid-feedback" in block, f"{name}.{field_name}"


def test_ballot_radio_errors_are_next_to_each_member(client, world, secretary_user):
    """R22's ballot: one radio group per member, rendered by hand; submitted empty, each member's
    fieldset carries the message, and no choice is pre-selected."""
    from reviews import services as review_services
    from reviews.models import Category
    from tests.reviews.factories import campaign, part_time_member

    part_time_member(world.mine, name="甲委员")
    part_time_member(world.mine, name="乙委员")
    c = campaign(secretary_user, world.mine)
    [code] = review_services.codes_generate(actor=secretary_user, campaign=c, category=Category.RESIDENT, count=1)
    url = reverse("reviews:ballot", args=[code.code])
    assert " checked" not in client.get(url).text and "---------" not in client.get(url).text
    html = client.post(url, {}).text
    for holder in ("甲委员", "乙委员"):
        start = html.index(f'data-subject="{holder}"')
        fieldset = html[start : html.index("</fieldset>", start)]
        assert "请选择对该委员的评价。" in fieldset
