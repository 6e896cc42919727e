import csv
import datetime
import json

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from nap_tracker import audit, permissions
from nap_tracker.models import Agency, AuditEvent, User
from nap_tracker.spreadsheets import safe_cell

admin.site.site_header = _("NAP Tracker administration")
admin.site.site_title = _("NAP Tracker")
admin.site.index_title = _("Administration")


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_en", "name_az", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name_en", "name_az", "name_ru"]
    ordering = ["name_en"]
    fieldsets = [
        (None, {"fields": ["code", "kind", "active"]}),
        (_("Name"), {"fields": ["name_en", "name_az", "name_ru"]}),
    ]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    """People; "History" shows every change to a person (never the password), the audit trail who made it."""

    list_display = ["username", "get_full_name", "email", "role", "agency", "is_active", "last_login"]
    list_filter = ["role", "is_active", "receives_digests", "agency__kind", "agency"]
    list_select_related = ["agency"]
    search_fields = ["username", "first_name", "last_name", "email", "agency__name_en", "agency__code"]
    autocomplete_fields = ["agency"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email", "language", "time_zone", "receives_digests"]}),
        (_("Role"), {"fields": ["role", "agency", "is_active"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "email", "role", "agency", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    @admin.display(description=_("name"))
    def get_full_name(self, obj):
        return obj.get_full_name()


class AuditEventAdmin(admin.ModelAdmin):
    """The security trail, for the system administrator: read, filter, search, export. Never changed here."""

    list_display = ["at", "action", "actor_username", "ip_address", "object_type", "object_repr", "path"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter), "object_type"]
    list_select_related = ["actor"]
    search_fields = ["actor_username", "ip_address", "object_repr", "object_id", "path", "user_agent"]
    date_hierarchy = "at"
    show_full_result_count = False
    fields = [
        "at",
        "action",
        "actor",
        "actor_username",
        "ip_address",
        "user_agent",
        "path",
        "object_type",
        "object_id",
        "object_repr",
        "detail",
    ]
    readonly_fields = fields
    actions = None

    def has_module_permission(self, request):
        return permissions.may_view_audit_trail(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.may_view_audit_trail(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("export.csv", self.admin_site.admin_view(self.export_view), name="nap_tracker_auditevent_export"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The list as filtered and searched on the page, as CSV, streamed row by row."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect(reverse("admin:nap_tracker_auditevent_changelist") + "?e=1")
        events = changelist.get_queryset(request).select_related(None).order_by("-at", "-pk")
        audit.record(audit.Action.AUDIT_EXPORTED, request=request, detail={"filters": request.GET.urlencode()})
        response = StreamingHttpResponse(audit_csv_rows(events), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="nap-audit-trail.csv"'
        return response


def audit_csv_rows(events):
    """The CSV lines of the events: UTF-8 with a byte-order mark (Excel), cells that cannot run as formulas."""
    buffer = _Line()
    writer = csv.writer(buffer)
    yield "\ufeff"
    yield writer.writerow(
        [
            gettext("When (UTC)"),
            gettext("What"),
            gettext("Action code"),
            gettext("Username"),
            gettext("IP address"),
            gettext("Browser"),
            gettext("Address"),
            gettext("Object type"),
            gettext("Object id"),
            gettext("Object"),
            gettext("Detail"),
        ]
    )
    labels = dict(AuditEvent.Action.choices)
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                safe_cell(value)
                for value in (
                    event.at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
                    str(labels.get(event.action, event.action)),
                    event.action,
                    event.actor_username,
                    event.ip_address or "",
                    event.user_agent,
                    event.path,
                    event.object_type,
                    event.object_id,
                    event.object_repr,
                    json.dumps(event.detail, ensure_ascii=False, sort_keys=True) if event.detail else "",
                )
            ]
        )


class _Line:
    """A file-like object whose write() returns the line, so csv.writer can feed a stream."""

    def write(self, value):
        return value


admin.site.register(AuditEvent, AuditEventAdmin)
