from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

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
