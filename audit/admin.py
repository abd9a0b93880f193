from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only, for the superuser too: the log cannot be changed from the portal."""

    list_display = ("at", "username", "address", "event", "outcome", "path")
    list_filter = ("event", "outcome")
    search_fields = ("username", "path")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
