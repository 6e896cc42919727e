from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from measures.models import (
    Area,
    Edition,
    Evidence,
    Measure,
    MeasureAgency,
    ReportingPeriod,
    StatusUpdate,
)

TRANSLATED = _("In Azerbaijani and Russian")


class AreaInline(admin.TabularInline):
    model = Area
    fields = ["code", "title_en", "title_az", "pillar", "order"]
    extra = 0


class ReportingPeriodInline(admin.TabularInline):
    model = ReportingPeriod
    fields = ["label", "start", "end", "due_date"]
    extra = 0


@admin.register(Edition)
class EditionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title_en", "start_year", "end_year", "approved_on", "state", "published", "measure_count"]
    list_filter = ["state", "published"]
    search_fields = ["code", "title_en", "title_az", "title_ru", "legal_basis_en"]
    inlines = [AreaInline, ReportingPeriodInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "title_en",
                    "start_year",
                    "end_year",
                    "approved_on",
                    "legal_basis_en",
                    "state",
                    "published",
                ]
            },
        ),
        (TRANSLATED, {"fields": ["title_az", "title_ru", "legal_basis_az", "legal_basis_ru"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(measure_total=Count("measures"))

    @admin.display(description=_("measures"), ordering="measure_total")
    def measure_count(self, obj):
        return obj.measure_total


@admin.register(Area)
class AreaAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title_en", "edition", "pillar", "order"]
    list_filter = ["edition", "pillar"]
    list_select_related = ["edition"]
    search_fields = ["code", "title_en", "title_az", "title_ru"]
    ordering = ["edition", "order", "code"]
    fieldsets = [
        (None, {"fields": ["edition", "code", "title_en", "pillar", "order"]}),
        (TRANSLATED, {"fields": ["title_az", "title_ru"]}),
    ]


class MeasureAgencyInline(admin.TabularInline):
    model = MeasureAgency
    fields = ["agency", "part", "is_lead"]
    autocomplete_fields = ["agency"]
    extra = 1


class IllustrativeFilter(admin.SimpleListFilter):
    title = _("wording")
    parameter_name = "wording"

    def lookups(self, request, model_admin):
        return [("official", _("Official text")), ("illustrative", _("Illustrative"))]

    def queryset(self, request, queryset):
        if self.value() == "official":
            return queryset.filter(is_illustrative=False)
        if self.value() == "illustrative":
            return queryset.filter(is_illustrative=True)
        return queryset


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["number", "short_title", "edition", "area_code", "status", "progress", "deadline", "wording"]
    list_display_links = ["number", "short_title"]
    list_filter = ["edition", IllustrativeFilter, "status", "area__pillar", "agencies"]
    list_select_related = ["edition", "area"]
    search_fields = ["number", "title_en", "title_az", "title_ru", "description_en"]
    autocomplete_fields = ["continues"]
    readonly_fields = ["status", "progress", "status_changed_at"]
    inlines = [MeasureAgencyInline]
    ordering = ["edition", "sort_key"]
    fieldsets = [
        (None, {"fields": ["edition", "area", "number", "is_illustrative", "title_en", "description_en"]}),
        (
            _("Results and timing"),
            {
                "fields": [
                    "expected_result_en",
                    "indicators_en",
                    "period_text_en",
                    "start_date",
                    "deadline",
                    "continues",
                ]
            },
        ),
        (_("Financing"), {"fields": ["financing_source_en", "estimated_budget", "budget_currency"]}),
        (
            _("Current status (from the latest approved update)"),
            {"fields": ["status", "progress", "status_changed_at"]},
        ),
        (
            TRANSLATED,
            {
                "classes": ["collapse"],
                "fields": [
                    "title_az",
                    "title_ru",
                    "description_az",
                    "description_ru",
                    "expected_result_az",
                    "expected_result_ru",
                    "indicators_az",
                    "indicators_ru",
                    "period_text_az",
                    "period_text_ru",
                    "financing_source_az",
                    "financing_source_ru",
                ],
            },
        ),
    ]

    def get_search_results(self, request, queryset, search_term):
        # The autocomplete for "continues" looks in the other plans, with their plan loaded up front.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("edition"), may_have_duplicates

    @admin.display(description=_("measure"))
    def short_title(self, obj):
        title = str(obj.title)
        return title if len(title) <= 90 else title[:88] + "…"

    @admin.display(description=_("area"), ordering="area__order")
    def area_code(self, obj):
        return obj.area.code

    @admin.display(description=_("wording"), ordering="is_illustrative")
    def wording(self, obj):
        return _("Illustrative") if obj.is_illustrative else _("Official")


@admin.register(MeasureAgency)
class MeasureAgencyAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "agency", "part", "is_lead"]
    list_filter = ["part", "is_lead", "measure__edition", "agency"]
    list_select_related = ["measure", "agency"]
    search_fields = ["measure__number", "measure__title_en", "agency__name_en", "agency__code"]
    autocomplete_fields = ["measure", "agency"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SimpleHistoryAdmin):
    list_display = ["label", "edition", "start", "end", "due_date"]
    list_filter = ["edition"]
    list_select_related = ["edition"]
    search_fields = ["label"]
    date_hierarchy = "start"


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Files are uploaded through the update form, which checks type and size.
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(StatusUpdate)
class StatusUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "state", "status", "progress", "author", "submitted_at", "reviewer"]
    list_filter = ["state", "status", "period__edition", "period", "agency"]
    list_select_related = ["measure", "agency", "period", "author", "reviewer"]
    search_fields = ["measure__number", "measure__title_en", "agency__name_en", "agency__code", "narrative"]
    autocomplete_fields = ["measure", "agency", "author", "reviewer"]
    readonly_fields = ["created_at", "updated_at", "version"]
    inlines = [EvidenceInline]
    date_hierarchy = "submitted_at"
    fieldsets = [
        (None, {"fields": ["measure", "agency", "period", "status", "progress", "narrative", "figures"]}),
        (_("Workflow"), {"fields": ["state", "author", "submitted_at", "reviewer", "reviewed_at", "review_note"]}),
        (_("Record"), {"fields": ["created_at", "updated_at", "version"]}),
    ]

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "update", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type"]
    list_select_related = ["update__measure", "update__agency", "update__period", "uploaded_by"]
    search_fields = ["original_name", "sha256", "update__measure__number"]
    readonly_fields = [
        "update",
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request):
        return False
