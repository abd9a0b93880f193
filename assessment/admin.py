"""Admin of the R21 schemes and scoring rounds: read-only. Every write goes through
assessment.services / assessment.scoring (validated, audited); a published scheme and a
finalised score are locked there, so the admin only shows the rows and their history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdminMixin as ReadOnly

from .models import (
    Indicator,
    Round,
    RoundScorer,
    Scheme,
    ScoreCorrection,
    ScoreLine,
    ScoreSheet,
    ScoringTask,
    Sheet,
    TaskEvidence,
)


@admin.register(Scheme)
class SchemeAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("title", "county", "township", "year", "version", "status", "weight", "published_at")
    list_filter = ("status", "year", "county")
    search_fields = ("title",)


@admin.register(Sheet)
class SheetAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("scheme", "kind")


@admin.register(Indicator)
class IndicatorAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("title", "sheet", "parent", "kind", "max_points", "limit", "evidence_source")
    list_filter = ("kind", "evidence_source")
    search_fields = ("title",)


@admin.register(Round)
class RoundAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("title", "county", "year", "scheme", "combination", "scoring_deadline", "released_at")
    list_filter = ("year",)


@admin.register(RoundScorer)
class RoundScorerAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("round", "user", "body")
    list_filter = ("body",)


@admin.register(ScoringTask)
class ScoringTaskAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("unit", "round", "status", "committee_total", "county_total", "final_score", "grade")
    list_filter = ("status", "round")
    search_fields = ("unit__name",)


@admin.register(TaskEvidence)
class TaskEvidenceAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("title", "task", "uploaded_by", "created_at")


@admin.register(ScoreSheet)
class ScoreSheetAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("task", "body", "scorer", "status", "total", "submitted_at")
    list_filter = ("body", "status")


@admin.register(ScoreLine)
class ScoreLineAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("scoresheet", "indicator", "points", "suggested")


@admin.register(ScoreCorrection)
class ScoreCorrectionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("task", "old_score", "new_score", "old_grade", "new_grade", "corrected_by", "corrected_at")
