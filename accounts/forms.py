from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import User
from .roles import OFFICER_ROLES


class LoginForm(AuthenticationForm):
    """Django's log-in form; axes needs the request passed on to authenticate()."""


# Which scope field each business role needs (the model's check constraints, said in Chinese).
SCOPE_OF_ROLE = {
    User.Role.TOWNSHIP: ("township", _("镇/街道组织干部须选择所在镇（街道）。")),
    User.Role.SECRETARY: ("community", _("社区书记须选择所在社区。")),
    User.Role.LIAISON: ("unit", _("驻区单位联络员须选择所在单位。")),
    User.Role.COUNTY: ("county", _("县委组织部用户须选择所在县（区）。")),
}


class UserForm(forms.ModelForm):
    """The system administrator's form for a business account (not the three officers)."""

    class Meta:
        model = User
        fields = (
            "username",
            "full_name",
            "phone",
            "email",
            "role",
            "county_body",
            "county",
            "township",
            "community",
            "unit",
        )

    def __init__(self, *args, with_active: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [c for c in User.Role.choices if c[0] not in OFFICER_ROLES]
        if with_active:
            self.fields["is_active"] = forms.BooleanField(
                label=_("账号有效"), required=False, initial=self.instance.is_active
            )

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role in SCOPE_OF_ROLE:
            field, message = SCOPE_OF_ROLE[role]
            if not data.get(field):
                self.add_error(field, message)
        if data.get("county_body") and role != User.Role.COUNTY:
            self.add_error("county_body", _("只有县级用户可以代表机关。"))
        return data

    def _post_clean(self):
        # The service saves (and validates the model); the form only checks the input.
        pass


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("手机验证器上的 6 位数字，或一个恢复码。"),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token:
            raise ValidationError(_("请输入验证码。"))
        return token
