from django.contrib import admin

from nap_tracker.admin import CountryScopedAdminMixin, DateSafeListMixin
from reporting.models import Report


@admin.register(Report)
class ReportAdmin(CountryScopedAdminMixin, DateSafeListMixin, admin.ModelAdmin):
    """A country administrator lists and opens the reports of their countries' plans only."""

    list_display = [
        "pk",
        "kind",
        "edition",
        "period",
        "agency",
        "language",
        "format",
        "state",
        "requested_by",
        "created_at",
        "attempts",
    ]
    list_filter = ["state", "kind", "format", "language"]
    list_select_related = ["edition", "period", "agency", "requested_by"]
    search_fields = ["edition__code", "agency__code", "requested_by__username", "error"]
    raw_id_fields = ["requested_by"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "started_at", "finished_at", "attempts", "error", "file"]
