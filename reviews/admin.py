"""Read-only admin of the member review (R22): every write goes through reviews.services; the
admin shows the rows and their history. Ballots show no code (there is none to show)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdminMixin as ReadOnly

from .models import Ballot, BallotCode, BallotReceipt, Campaign, Outcome, PaperTally, Subject


@admin.register(Campaign)
class CampaignAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("title", "committee", "year", "status", "p2_rule", "opens_on", "closes_on")
    list_filter = ("status", "year", "p2_rule")
    search_fields = ("title", "committee__name")


@admin.register(Subject)
class SubjectAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("holder_name", "kind", "unit", "campaign", "satisfied", "fairly", "basic", "unsatisfied", "flagged")
    list_filter = ("flagged", "kind")
    search_fields = ("holder_name", "unit__name")
    list_select_related = ("unit", "campaign")


@admin.register(BallotCode)
class BallotCodeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("display_code", "campaign", "category", "batch", "used", "created_at")
    list_filter = ("category", "used")
    list_select_related = ("campaign",)


@admin.register(BallotReceipt)
class BallotReceiptAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("code", "subject")
    list_select_related = ("code", "subject")


@admin.register(Ballot)
class BallotAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("subject", "category", "choice")
    list_filter = ("category", "choice")
    list_select_related = ("subject",)


@admin.register(PaperTally)
class PaperTallyAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("subject", "category", "satisfied", "fairly", "basic", "unsatisfied", "entered_by", "entered_at")
    list_select_related = ("subject", "entered_by")


@admin.register(Outcome)
class OutcomeAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("subject", "kind", "flagged_times", "agenda_item", "created_at")
    list_filter = ("kind",)
    list_select_related = ("subject", "agenda_item")
