from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from measures import import_uploads
from measures.importing import (
    Action,
    ImportInvalid,
    ImportUploadForm,
    export_edition,
    import_apply,
    import_preview,
    import_template,
    recommendations_import_apply,
    recommendations_import_summary,
    recommendations_preview,
)
from measures.importing.recommendation_list import UPLOAD_SCOPE as RECOMMENDATION_UPLOAD_SCOPE
from measures.models import (
    Area,
    BudgetLine,
    DeadlineRevision,
    DigestDelivery,
    Edition,
    Evidence,
    FundingSource,
    Indicator,
    Measure,
    MeasureAgency,
    PeriodChange,
    Recommendation,
    RecommendationSource,
    ReportingPeriod,
    StatusUpdate,
)
from measures.services import measure_refresh_status
from nap_tracker.admin import CountryScopedAdminMixin, DateSafeListMixin, SafeAutocompleteMixin
from nap_tracker.countries import countries_for, in_countries
from nap_tracker.permissions import may_import_measures

TRANSLATED = _("In Azerbaijani and Russian")


def _download(exported) -> HttpResponse:
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


class AreaInline(admin.TabularInline):
    model = Area
    fields = ["code", "title_en", "title_az", "pillar", "order"]
    extra = 0


class ReportingPeriodInline(admin.TabularInline):
    model = ReportingPeriod
    fields = ["label", "start", "end", "due_date"]
    extra = 0


@admin.register(Edition)
class EditionAdmin(CountryScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "code",
        "title_en",
        "country",
        "start_year",
        "end_year",
        "approved_on",
        "state",
        "published",
        "measure_count",
    ]
    list_filter = ["country", "state", "published"]
    search_fields = ["code", "title_en", "title_az", "title_ru", "legal_basis_en"]
    inlines = [AreaInline, ReportingPeriodInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "country",
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

    def get_readonly_fields(self, request, obj=None):
        # A plan is its country's for good: its measures, bodies and people are that country's.
        return [*super().get_readonly_fields(request, obj), *(["country"] if obj else [])]

    # --- Import and export of measures: upload → preview → confirm ---------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import-template/", view(self.template_view), name="measures_edition_import_template"),
            path("<int:pk>/import/", view(self.import_view), name="measures_edition_import"),
            path(
                "<int:pk>/import/<slug:token>/", view(self.import_preview_view), name="measures_edition_import_preview"
            ),
            path("<int:pk>/export/", view(self.export_view), name="measures_edition_export"),
            *super().get_urls(),
        ]

    def _edition_for_import(self, request, pk):
        if not may_import_measures(request.user):
            raise PermissionDenied
        # An administrator imports into, and exports, their own countries' plans only.
        return get_object_or_404(in_countries(Edition.objects.all(), countries_for(request.user)), pk=pk)

    def _context(self, request, edition, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "edition": edition,
            "title": gettext("Import measures into %(plan)s") % {"plan": edition.code},
            "max_size_mb": round(settings.IMPORT_MAX_BYTES / 1024 / 1024, 1),
            **extra,
        }

    def import_view(self, request, pk):
        edition = self._edition_for_import(request, pk)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            token = import_uploads.upload_keep(
                session=request.session, edition_id=edition.pk, filename=upload.name, content=form.content
            )
            return redirect("admin:measures_edition_import_preview", pk=edition.pk, token=token)
        return TemplateResponse(
            request, "admin/measures/edition/import.html", self._context(request, edition, form=form)
        )

    def import_preview_view(self, request, pk, token):
        edition = self._edition_for_import(request, pk)
        stored = import_uploads.upload_get(session=request.session, token=token, edition_id=edition.pk)
        if stored is None:
            messages.warning(request, gettext("That upload is no longer available. Please upload the file again."))
            return redirect("admin:measures_edition_import", pk=edition.pk)
        if request.method == "POST":
            try:
                result = import_apply(
                    edition=edition, filename=stored.filename, content=stored.content, user=request.user
                )
            except ImportInvalid as invalid:
                preview = invalid.preview
            else:
                import_uploads.upload_discard(session=request.session, token=token)
                counts = result.counts
                messages.success(
                    request,
                    gettext(
                        "Imported %(file)s into %(plan)s: %(new)s new and %(changed)s changed measures; "
                        "%(unchanged)s were already up to date."
                    )
                    % {
                        "file": stored.filename,
                        "plan": edition.code,
                        "new": counts[Action.NEW],
                        "changed": counts[Action.CHANGED],
                        "unchanged": counts[Action.UNCHANGED],
                    },
                )
                url = reverse("admin:measures_measure_changelist") + f"?edition__id__exact={edition.pk}"
                return redirect(url)
        else:
            preview = import_preview(edition=edition, filename=stored.filename, content=stored.content)
        return TemplateResponse(
            request,
            "admin/measures/edition/import.html",
            self._context(request, edition, form=ImportUploadForm(), preview=preview, token=token),
        )

    def export_view(self, request, pk):
        edition = self._edition_for_import(request, pk)
        exported = export_edition(edition=edition, file_format="csv" if request.GET.get("format") == "csv" else "xlsx")
        return _download(exported)

    def template_view(self, request):
        if not may_import_measures(request.user):
            raise PermissionDenied
        return _download(import_template())

    @admin.display(description=_("measures"), ordering="measure_total")
    def measure_count(self, obj):
        return obj.measure_total


@admin.register(Area)
class AreaAdmin(CountryScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "title_en", "edition", "pillar", "order"]
    list_filter = ["edition", "pillar"]
    list_select_related = ["edition"]
    search_fields = ["code", "title_en", "title_az", "title_ru"]
    ordering = ["edition", "order", "code"]
    fieldsets = [
        (None, {"fields": ["edition", "code", "title_en", "pillar", "order"]}),
        (TRANSLATED, {"fields": ["title_az", "title_ru"]}),
    ]


class MeasureAgencyInline(SafeAutocompleteMixin, admin.TabularInline):
    model = MeasureAgency
    fields = ["agency", "part", "is_lead"]
    autocomplete_fields = ["agency"]
    extra = 1


class IndicatorInline(admin.StackedInline):
    model = Indicator
    fields = [
        ("name_en", "name_az", "name_ru"),
        ("unit", "breakdown", "order"),
        ("baseline_value", "baseline_text", "baseline_year"),
        ("target_value", "target_text", "target_year"),
    ]
    extra = 0


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    fields = ["source", "amount", "currency"]
    extra = 0


@admin.register(FundingSource)
class FundingSourceAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_en", "name_az", "name_ru", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name_en", "name_az", "name_ru"]


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


class RecordInline(admin.TabularInline):
    """An append-only record, shown where the thing it records is edited: read, never added or changed here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeadlineRevisionInline(RecordInline):
    model = DeadlineRevision
    fields = ["old_deadline", "new_deadline", "reason", "revised_by", "revised_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("revised_by")


@admin.register(Measure)
class MeasureAdmin(CountryScopedAdminMixin, SafeAutocompleteMixin, SimpleHistoryAdmin):
    list_display = ["number", "short_title", "edition", "area_code", "status", "progress", "deadline", "wording"]
    list_display_links = ["number", "short_title"]
    list_filter = ["edition", IllustrativeFilter, "status", "area__pillar", "agencies"]
    list_select_related = ["edition", "area"]
    search_fields = ["number", "title_en", "title_az", "title_ru", "description_en"]
    autocomplete_fields = ["continues", "recommendations"]
    readonly_fields = [
        "status",
        "progress",
        "status_changed_at",
        "consolidated_status",
        "consolidated_progress",
        "consolidated_note",
        "consolidated_by",
        "consolidated_at",
    ]
    inlines = [MeasureAgencyInline, DeadlineRevisionInline, IndicatorInline, BudgetLineInline]
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
        (_("Financing"), {"fields": ["financing_source_en"]}),
        (_("International commitments"), {"fields": ["recommendations"]}),
        (
            _("Status in force (set by the coordinator's office on the measure page, or by approved updates)"),
            {
                "fields": [
                    "status",
                    "progress",
                    "status_changed_at",
                    "consolidated_status",
                    "consolidated_progress",
                    "consolidated_note",
                    "consolidated_by",
                    "consolidated_at",
                ]
            },
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

    def get_readonly_fields(self, request, obj=None):
        # Once a plan runs, its deadlines move only by a revision with a reason (on the measure's page),
        # so the original date and every change stay on record.
        if obj is not None and obj.edition.state != Edition.State.DRAFT:
            return [*self.readonly_fields, "deadline"]
        return self.readonly_fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Each chosen recommendation is named by its source's reference: load the sources with them.
        if db_field.name == "recommendations":
            kwargs["queryset"] = Recommendation.objects.select_related("source")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

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


class RecommendationInline(admin.StackedInline):
    model = Recommendation
    fields = ["number", "priority", "issued_on", "is_illustrative", "text_en", "text_az", "text_ru"]
    extra = 0


@admin.register(RecommendationSource)
class RecommendationSourceAdmin(CountryScopedAdminMixin, SimpleHistoryAdmin):
    """Administrators keep the reports and frameworks whose recommendations the plan answers."""

    list_display = ["reference", "kind", "year", "title_en", "recommendation_count", "wording"]
    list_filter = ["kind", IllustrativeFilter]
    search_fields = ["reference", "title_en", "title_az", "title_ru"]
    inlines = [RecommendationInline]
    fieldsets = [
        (
            None,
            {"fields": ["country", "kind", "reference", "evaluation_round", "year", "published_on", "is_illustrative"]},
        ),
        (_("Title"), {"fields": ["title_en", "title_az", "title_ru"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(recommendation_total=Count("recommendations"))

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *(["country"] if obj else [])]

    @admin.display(description=_("recommendations"), ordering="recommendation_total")
    def recommendation_count(self, obj):
        return obj.recommendation_total

    @admin.display(description=_("wording"), ordering="is_illustrative")
    def wording(self, obj):
        return _("Illustrative") if obj.is_illustrative else _("Official")


class AnsweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("yes", _("Answered by a measure")), ("no", _("Not answered by any measure"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(measures__isnull=False).distinct()
        if self.value() == "no":
            return queryset.filter(measures__isnull=True)
        return queryset


@admin.register(Recommendation)
class RecommendationAdmin(CountryScopedAdminMixin, SafeAutocompleteMixin, SimpleHistoryAdmin):
    list_display = ["citation", "short_text", "priority", "measure_count", "wording"]
    list_filter = ["source__kind", "source", "priority", AnsweredFilter, IllustrativeFilter]
    list_select_related = ["source"]
    search_fields = ["source__reference", "number", "text_en", "text_az", "text_ru"]
    autocomplete_fields = ["source"]
    ordering = ["source__kind", "source__reference", "sort_key"]
    fieldsets = [
        (None, {"fields": ["source", "number", "priority", "issued_on", "is_illustrative"]}),
        (_("Text"), {"fields": ["text_en", "text_az", "text_ru"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(measure_total=Count("measures"))

    # --- Import from a spreadsheet: upload → preview → confirm, as for a plan's measures --------------
    # Uploads are kept like a plan's (measures/import_uploads.py), under no edition. The application's own
    # page (measures/commitments/views.py) runs the same steps with the same functions.
    UPLOAD_SCOPE = RECOMMENDATION_UPLOAD_SCOPE

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="measures_recommendation_import"),
            path("import/<slug:token>/", view(self.import_preview_view), name="measures_recommendation_import_preview"),
            *super().get_urls(),
        ]

    def _import_page(self, request, **extra):
        if not may_import_measures(request.user):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Import recommendations"),
            "max_size_mb": round(settings.IMPORT_MAX_BYTES / 1024 / 1024, 1),
            **extra,
        }
        return TemplateResponse(request, "admin/measures/recommendation/import.html", context)

    def import_view(self, request):
        if not may_import_measures(request.user):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            token = import_uploads.upload_keep(
                session=request.session,
                edition_id=self.UPLOAD_SCOPE,
                filename=form.cleaned_data["file"].name,
                content=form.content,
            )
            return redirect("admin:measures_recommendation_import_preview", token=token)
        return self._import_page(request, form=form)

    def import_preview_view(self, request, token):
        if not may_import_measures(request.user):
            raise PermissionDenied
        stored = import_uploads.upload_get(session=request.session, token=token, edition_id=self.UPLOAD_SCOPE)
        if stored is None:
            messages.warning(request, gettext("That upload is no longer available. Please upload the file again."))
            return redirect("admin:measures_recommendation_import")
        if request.method == "POST":
            try:
                result = recommendations_import_apply(
                    filename=stored.filename,
                    content=stored.content,
                    user=request.user,
                    countries=countries_for(request.user),
                )
            except ImportInvalid as invalid:
                preview = invalid.preview
            else:
                import_uploads.upload_discard(session=request.session, token=token)
                messages.success(request, recommendations_import_summary(result))
                return redirect("admin:measures_recommendation_changelist")
        else:
            preview = recommendations_preview(
                filename=stored.filename, content=stored.content, countries=countries_for(request.user)
            )
        return self._import_page(request, form=ImportUploadForm(), preview=preview, token=token)

    def get_search_results(self, request, queryset, search_term):
        # The measure page's autocomplete names each recommendation by its source's reference.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("source"), may_have_duplicates

    @admin.display(description=_("recommendation"), ordering="sort_key")
    def citation(self, obj):
        return obj.citation

    @admin.display(description=_("text"))
    def short_text(self, obj):
        text = str(obj.text)
        return text if len(text) <= 90 else text[:88] + "…"

    @admin.display(description=_("measures"), ordering="measure_total")
    def measure_count(self, obj):
        return obj.measure_total

    @admin.display(description=_("wording"), ordering="is_illustrative")
    def wording(self, obj):
        return _("Illustrative") if obj.is_illustrative else _("Official")


@admin.register(MeasureAgency)
class MeasureAgencyAdmin(CountryScopedAdminMixin, SafeAutocompleteMixin, SimpleHistoryAdmin):
    list_display = ["measure", "agency", "part", "is_lead"]
    list_filter = ["part", "is_lead", "measure__edition", "agency"]
    list_select_related = ["measure", "agency"]
    search_fields = ["measure__number", "measure__title_en", "agency__name_en", "agency__code"]
    autocomplete_fields = ["measure", "agency"]


class PeriodChangeInline(RecordInline):
    model = PeriodChange
    fields = ["kind", "reason", "actor", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(CountryScopedAdminMixin, DateSafeListMixin, SimpleHistoryAdmin):
    """Dates and labels. Closing and reopening is done on the period's page, which keeps who and why."""

    list_display = ["label", "edition", "start", "end", "due_date", "closed_at"]
    list_filter = ["edition"]
    list_select_related = ["edition"]
    search_fields = ["label"]
    date_hierarchy = "start"
    readonly_fields = ["closed_at", "closed_by"]
    inlines = [PeriodChangeInline]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = ["original_name", "restricted", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Files are uploaded through the update form, which checks type and size.
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(StatusUpdate)
class StatusUpdateAdmin(CountryScopedAdminMixin, DateSafeListMixin, SafeAutocompleteMixin, SimpleHistoryAdmin):
    """Corrections to what an update says. The workflow (who wrote it, its state, who reviewed it and
    when) is read-only here: updates are written by agencies and decided by the coordinator's office
    through the review service, which refuses one's own update and checks the role."""

    WORKFLOW_FIELDS = ["state", "author", "submitted_at", "reviewer", "reviewed_at", "review_note"]

    list_display = ["__str__", "state", "status", "progress", "author", "submitted_at", "reviewer"]
    list_filter = ["state", "status", "period__edition", "period", "agency"]
    list_select_related = ["measure", "agency", "period", "author", "reviewer"]
    search_fields = ["measure__number", "measure__title_en", "agency__name_en", "agency__code", "narrative"]
    autocomplete_fields = ["measure", "agency"]
    readonly_fields = [*WORKFLOW_FIELDS, "created_at", "updated_at", "version"]
    inlines = [EvidenceInline]
    date_hierarchy = "submitted_at"
    fieldsets = [
        (None, {"fields": ["measure", "agency", "period", "status", "progress", "language", "narrative", "figures"]}),
        (_("Restricted"), {"fields": ["restricted_details"]}),
        (_("Workflow"), {"fields": WORKFLOW_FIELDS}),
        (_("Record"), {"fields": ["created_at", "updated_at", "version"]}),
    ]

    def has_add_permission(self, request):
        # An update is an agency's account, written by its people on the site; nobody writes one here.
        return False

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        stored = StatusUpdate.objects.select_for_update().get(pk=obj.pk)
        # Whatever the form carried, the workflow stays as the services left it.
        for name in self.WORKFLOW_FIELDS:
            attname = StatusUpdate._meta.get_field(name).attname
            setattr(obj, attname, getattr(stored, attname))
        obj.version = stored.version + 1
        super().save_model(request, obj, form, change)
        # A correction made here must reach the measure as an approval in the pages would.
        measure_refresh_status(measure_id=obj.measure_id)

    @transaction.atomic
    def delete_model(self, request, obj):
        measure_id = obj.measure_id
        super().delete_model(request, obj)
        measure_refresh_status(measure_id=measure_id)


@admin.register(Evidence)
class EvidenceAdmin(CountryScopedAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "update", "restricted", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["restricted", "content_type"]
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

    def get_readonly_fields(self, request, obj=None):
        # A file can be marked restricted here, never unmarked: as in the update form, the mark only
        # hides a file (to lift it, the agency removes the file and attaches it again).
        if obj is not None and obj.restricted:
            return [*self.readonly_fields, "restricted"]
        return self.readonly_fields


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(CountryScopedAdminMixin, DateSafeListMixin, admin.ModelAdmin):
    """Who was reminded of what, and when. Written only by the reminders; read-only here."""

    list_display = ["sent_at", "kind", "person", "person_role", "agency", "period", "key", "item_count", "email"]
    list_filter = ["kind", "person__role", "period__edition", "period", "sent_at"]
    list_select_related = ["person__agency", "period__edition"]
    search_fields = ["person__username", "person__first_name", "person__last_name", "email", "person__agency__code"]
    date_hierarchy = "sent_at"
    readonly_fields = ["person", "kind", "key", "period", "email", "item_count", "sent_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("role"), ordering="person__role")
    def person_role(self, obj):
        return obj.person.get_role_display()

    @admin.display(description=_("agency"), ordering="person__agency__code")
    def agency(self, obj):
        return obj.person.agency.code if obj.person.agency else "—"
