import csv
import datetime
import json

from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.db.models import Exists, OuterRef
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from nap_tracker import audit, countries, permissions, second_factor
from nap_tracker.models import Agency, AuditEvent, Country, User
from nap_tracker.spreadsheets import safe_cell

admin.site.site_header = _("NAP Tracker administration")
admin.site.site_title = _("NAP Tracker")
admin.site.index_title = _("Administration")

_django_has_permission = admin.site.has_permission


def _administrators_only(request):
    """Django lets in anyone with `is_staff`; we also ask the role, so a row left with the flag by an
    older version (or by a bulk update that skipped `User.save`) cannot open the admin."""
    return _django_has_permission(request) and request.user.role == User.Role.ADMIN


admin.site.has_permission = _administrators_only


def _is_possible_key(db_field, value, using=None) -> bool:
    """Whether `value` could be the key of a row: of the right type, and within the database's range."""
    target = db_field.target_field
    try:
        key = target.to_python(value)
    except ValidationError:
        return False
    if isinstance(key, int):
        low, high = connections[using or "default"].ops.integer_field_range(target.get_internal_type())
        return (low is None or key >= low) and (high is None or key <= high)
    return True


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete looks the submitted value up again to show a form with errors; a value that
    is not a key ("1e10", a number beyond the database's range) made that lookup a server error. Such
    values are left out of the redisplay: the field's own error already tells what is wrong."""

    def optgroups(self, name, value, attr=None):
        possible = [v for v in value if _is_possible_key(self.field, v, self.db)]
        return super().optgroups(name, possible, attr)


class SafeAutocompleteMixin:
    """For every admin (and inline) with `autocomplete_fields`: the autocomplete widget above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CountryScopedAdminMixin:
    """For every admin of rows that belong to a country: an administrator given countries (a country
    administrator) lists, opens and chooses only their countries' rows; one given none (the installation's
    administrator) sees every country's (`nap_tracker.countries`). Another country's row is a 404 here too:
    `get_object` reads through `get_queryset`.

    Choices of foreign keys and many-to-many fields that belong to a country are narrowed the same way, and
    saving a row never takes away the countries a country administrator cannot see (an international
    organisation working in two countries keeps the other). A row saved without a country gets the one the
    administrator is working in, so nobody makes a row no country administrator can find."""

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if countries.is_installation_admin(request.user):
            return rows  # every country's rows, and those of no country yet (other installation administrators)
        return countries.in_countries(rows, countries.countries_for(request.user))

    def history_view(self, request, object_id, extra_context=None):
        # simple_history shows the record of a row its list does not hold (it falls back to the history
        # itself, for deleted rows): another country's row is a 404 here as on its own page.
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # One past version of a row: simple_history reads it from the history alone, whatever the country.
        self._in_scope_or_404(request, object_id)
        history_key = self.model.history.model._meta.pk
        try:
            history_key.run_validators(history_key.to_python(unquote(version_id)))
        except ValidationError:
            raise Http404 from None
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def _in_scope_or_404(self, request, object_id):
        """A country administrator reads the record of their countries' rows only (a deleted row's record is
        the installation administrator's, as the row no longer says which country it was). An id no row
        could have ("²", a number past the column's range) is a 404 for everyone, not a server error."""
        object_id = unquote(object_id)
        key = self.model._meta.pk
        try:
            key.run_validators(key.to_python(object_id))
        except ValidationError:
            raise Http404 from None
        if not countries.is_installation_admin(request.user) and self.get_object(request, object_id) is None:
            raise Http404

    def get_list_filter(self, request):
        # A filter by a related row lists only the rows the list holds: never another country's plans or bodies.
        narrowed = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
                item = (item, admin.RelatedOnlyFieldListFilter)
            narrowed.append(item)
        return narrowed

    def _scoped(self, field, request):
        if not countries.is_installation_admin(request.user) and (
            getattr(field, "queryset", None) is not None
            and field.queryset.model._meta.label_lower in countries.COUNTRY_PATHS
        ):
            field.queryset = countries.in_countries(field.queryset, countries.countries_for(request.user))
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self._scoped(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return self._scoped(super().formfield_for_manytomany(db_field, request, **kwargs), request)

    def save_related(self, request, form, formsets, change):
        row = form.instance
        scoped_m2m = "countries" in form.fields and hasattr(row, "countries")
        beyond = []
        if scoped_m2m and change and not countries.is_installation_admin(request.user):
            beyond = list(
                row.countries.exclude(pk__in=countries.countries_for(request.user)).values_list("pk", flat=True)
            )
        super().save_related(request, form, formsets, change)
        if scoped_m2m:
            if beyond:
                row.countries.add(*beyond)
            if not row.countries.exists():
                default = _default_country(request)
                if default is not None:
                    row.countries.add(default)


def _default_country(request) -> int | None:
    """The country of a row saved without one: the one a country administrator works in, or the
    installation's only country. None when the installation has several and its administrator chose none."""
    if countries.is_country_admin(request.user):
        return countries.current_country_id(request)
    only = list(Country.objects.values_list("pk", flat=True)[:2])
    return only[0] if len(only) == 1 else None


class DateSafeChangeList(ChangeList):
    """A year (or month, day) beyond what a date can hold in the date filter is explained like any
    other impossible filter (the list again, with its note), not a server error: Django catches
    ValueError there, not the OverflowError of a number too large for a date."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error


class DateSafeListMixin:
    """For every admin with `date_hierarchy`."""

    def get_changelist(self, request, **kwargs):
        return DateSafeChangeList


class ReadOnlyAdminMixin:
    """A record shown in the admin and never written there: who may look is `may_view(user)`."""

    def may_view(self, user) -> bool:
        raise NotImplementedError

    def has_module_permission(self, request):
        return self.may_view(request.user)

    def has_view_permission(self, request, obj=None):
        return self.may_view(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Country)
class CountryAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    """The countries the installation serves. Only an administrator of the whole installation (one given no
    country) adds or removes one; a country's own administrator may correct its names and settings."""

    list_display = ["code", "name_en", "name_local", "content_languages", "time_zone", "coordinator_office", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name_en", "name_az", "name_ru", "name_local"]
    autocomplete_fields = ["coordinator_office"]
    fieldsets = [
        (None, {"fields": ["code", "active", "content_languages", "time_zone", "coordinator_office"]}),
        (_("Name"), {"fields": ["name_en", "name_az", "name_ru", "name_local"]}),
    ]

    def get_queryset(self, request):
        return countries.in_countries(super().get_queryset(request), countries.countries_for(request.user))

    def has_add_permission(self, request):
        return countries.is_installation_admin(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return countries.is_installation_admin(request.user) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # A country's code names it in URLs, imports and exports: the installation's administrator's to change.
        return [] if countries.is_installation_admin(request.user) else ["code", "active"]


@admin.register(Agency)
class AgencyAdmin(CountryScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name_en", "name_az", "kind", "active"]
    list_filter = ["countries", "kind", "active"]
    search_fields = ["code", "name_en", "name_az", "name_ru"]
    ordering = ["name_en"]
    fieldsets = [
        (None, {"fields": ["code", "kind", "active", "countries"]}),
        (_("Name"), {"fields": ["name_en", "name_az", "name_ru"]}),
    ]


ONE_COUNTRY_ROLES = (User.Role.COORDINATOR, User.Role.FOCAL_POINT, User.Role.NGO)


def check_countries(*, role, agency, chosen) -> str | None:
    """What is wrong with a person's countries, if anything: the coordinator's office, focal points and NGO
    focal points work in one country, partners in one or more, and a body's people in a country it works in."""
    if chosen is None:
        return None
    chosen = list(chosen)
    if role in ONE_COUNTRY_ROLES and len(chosen) != 1:
        return gettext("Give the coordinator's office, a focal point or an NGO focal point exactly one country.")
    if role == User.Role.PARTNER and not chosen:
        return gettext("Give a partner the countries whose plans they follow.")
    if agency is not None and chosen:
        missing = [country for country in chosen if not agency.countries.filter(pk=country.pk).exists()]
        if missing:
            return gettext("%(agency)s does not work in %(countries)s: tick the country on the agency first.") % {
                "agency": agency,
                "countries": ", ".join(str(country) for country in missing),
            }
    return None


@admin.register(User)
class UserAdmin(CountryScopedAdminMixin, SafeAutocompleteMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    """People; "History" shows every change to a person (never the password), the audit trail who made it."""

    list_display = ["username", "get_full_name", "email", "role", "agency", "is_active", "second_factor", "last_login"]
    list_filter = ["countries", "role", "is_active", "receives_digests", "agency__kind", "agency"]
    list_select_related = ["agency"]
    search_fields = ["username", "first_name", "last_name", "email", "agency__name_en", "agency__code"]
    autocomplete_fields = ["agency"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email", "language", "time_zone", "receives_digests"]}),
        (_("Role"), {"fields": ["role", "agency", "countries", "is_active"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "email", "role", "agency", "countries", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["reset_second_factor", "unlock_sign_in"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        default = _default_country(request)

        class WithCountries(form):
            def clean(self):
                cleaned = super().clean()
                checked = check_countries(
                    role=cleaned.get("role"), agency=cleaned.get("agency"), chosen=cleaned.get("countries")
                )
                if checked and not (default is not None and not cleaned.get("countries")):
                    self.add_error("countries" if "countries" in self.fields else None, checked)
                return cleaned

        return WithCountries

    @admin.action(description=_("Reset second factor (lost phone): set it up again at next sign-in"))
    def reset_second_factor(self, request, queryset):
        if not permissions.may_reset_second_factor(request.user):
            raise PermissionDenied
        people = list(queryset)
        for person in people:
            second_factor.second_factor_reset(user=person, actor=request.user, request=request)
        self.message_user(
            request,
            ngettext(
                "The second factor of %(count)d person is reset.",
                "The second factor of %(count)d people is reset.",
                len(people),
            )
            % {"count": len(people)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unlock sign-in paused after wrong passwords"))
    def unlock_sign_in(self, request, queryset):
        people = list(queryset.values_list("username", flat=True))
        removed = sum(axes_reset(username=username) for username in people)
        self.message_user(
            request,
            ngettext("Sign-in unlocked for %(count)d person.", "Sign-in unlocked for %(count)d people.", len(people))
            % {"count": len(people)},
            messages.SUCCESS if removed else messages.INFO,
        )

    def get_queryset(self, request):
        confirmed_app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_second_factor=Exists(confirmed_app))

    @admin.display(description=_("second factor"), boolean=True, ordering="has_second_factor")
    def second_factor(self, obj):
        return obj.has_second_factor

    @admin.display(description=_("name"))
    def get_full_name(self, obj):
        return obj.get_full_name()


class AuditEventAdmin(ReadOnlyAdminMixin, DateSafeListMixin, admin.ModelAdmin):
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

    def may_view(self, user) -> bool:
        return permissions.may_view_audit_trail(user)

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
