from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from nap_tracker import permissions
from nap_tracker.admin import DateSafeListMixin, ReadOnlyAdminMixin


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, DateSafeListMixin, admin.ModelAdmin):
    """To look tokens up. Issuing goes through the token pages, the one place that shows a new token (once);
    revoking too, so that each is recorded in the audit trail. Nothing is changed or deleted here."""

    list_display = ["name", "prefix", "person", "organisation", "expires_at", "revoked_at", "last_used_at"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["person", "organisation"]
    search_fields = ["name", "prefix", "person__username", "organisation__code", "organisation__name_en"]
    date_hierarchy = "created_at"
    # Never the hash of the secret: it tells a reader nothing, and is one step nearer to the secret.
    fields = [
        "name",
        "prefix",
        "person",
        "organisation",
        "scopes",
        "created_at",
        "created_by",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "last_used_at",
        "last_used_ip",
        "manage",
    ]
    readonly_fields = fields
    actions = None

    @admin.display(description=_("issue and revoke"))
    def manage(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("api:token_list"), _("API token pages"))

    def may_view(self, user) -> bool:
        return permissions.may_manage_api_tokens(user)
