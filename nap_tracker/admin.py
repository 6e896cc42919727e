from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
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
class UserAdmin(DjangoUserAdmin):
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
