"""The committees' group robots are configured in the admin (issue #15 item 7); saving goes
through ``inbox.services.committee_robot_set``."""

from django.contrib import admin

from .models import CommitteeRobot
from .services import committee_robot_set


@admin.register(CommitteeRobot)
class CommitteeRobotAdmin(admin.ModelAdmin):
    list_display = ("committee", "url", "is_active")
    list_filter = ("is_active",)
    raw_id_fields = ("committee",)

    def save_model(self, request, obj, form, change):
        saved = committee_robot_set(committee=obj.committee, url=obj.url, is_active=obj.is_active)
        obj.pk = saved.pk
