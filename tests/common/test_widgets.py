"""common.widgets.QuickSelect: the markup of forms.Select, built without a template per option."""

from django import forms
from django.test.html import parse_html

from common.widgets import QuickSelect

CHOICES = [("", "---------"), (1, "城关镇"), (2, "河西镇 <东>"), ("组", [(3, "第一网格"), (4, "第二网格")])]


def test_quick_select_renders_what_select_renders():
    for value in (None, 2, "4"):
        attrs = {"id": "id_x", "class": "form-select form-select-sm"}
        quick = QuickSelect(choices=CHOICES).render("x", value, attrs)
        plain = forms.Select(choices=CHOICES).render("x", value, attrs)
        assert parse_html(quick) == parse_html(plain), value
    assert "河西镇 &lt;东&gt;" in quick and 'value="4" selected' in quick


def test_a_bound_filter_form_keeps_the_choice():
    class F(forms.Form):
        town = forms.TypedChoiceField(choices=CHOICES[:3], coerce=int, required=False, widget=QuickSelect)

    html = str(F({"town": "2"})["town"])
    assert 'value="2" selected' in html and 'name="town"' in html and 'id="id_town"' in html
