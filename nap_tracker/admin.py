from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
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
