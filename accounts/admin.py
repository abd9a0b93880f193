from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """The installer's page (the superuser): creates the first three officers (issue #14 item 7).
    A password set here is an issued one: it is changed at the first log-in."""

    fieldsets = UserAdmin.fieldsets + (
        (
            "角色与范围",
            {"fields": ("full_name", "phone", "role", "county_body", "county", "township", "community", "unit")},
        ),
        ("密码策略", {"fields": ("must_change_password", "password_changed_at")}),
    )
    readonly_fields = ("password_changed_at",)
    list_display = ("username", "full_name", "role", "township", "community", "unit", "is_active")
    list_filter = ("role", "is_active")

    def save_model(self, request, obj, form, change):
        if not change or "password" in form.changed_data:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)
