from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import YearEndReport


@admin.register(YearEndReport)
class YearEndReportAdmin(SimpleHistoryAdmin):
    list_display = ("committee", "year", "status", "progress", "builds", "finished_at")
    list_filter = ("status", "year")
    readonly_fields = ("status", "progress", "stage", "file", "file_size", "checksum", "builds", "error")
