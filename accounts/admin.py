from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (
        (
            "角色与范围",
            {"fields": ("full_name", "phone", "role", "county_body", "county", "township", "community", "unit")},
        ),
    )
    list_display = ("username", "full_name", "role", "township", "community", "unit", "is_active")
    list_filter = ("role", "is_active")
