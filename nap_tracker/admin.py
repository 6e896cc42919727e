from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from nap_tracker import permissions, second_factor
from nap_tracker.models import Agency, User

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
class UserAdmin(SafeAutocompleteMixin, DjangoUserAdmin):
    list_display = ["username", "get_full_name", "email", "role", "agency", "is_active", "second_factor", "last_login"]
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
    actions = ["reset_second_factor", "unlock_sign_in"]

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
