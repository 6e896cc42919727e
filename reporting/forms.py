from django import forms
from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from measures.models import Area, Edition, Measure, RecommendationSource, ReportingPeriod, overdue_condition
from nap_tracker import permissions
from nap_tracker.countries import in_country
from nap_tracker.models import Agency
from reporting.models import Report
from reporting.services import DOCX_KINDS


class EditionSelect(forms.Select):
    """Each option says which plan it belongs to, so the page's script can offer only the chosen plan's."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-edition"] = instance.edition_id
        return option


class PeriodChoiceField(forms.ModelChoiceField):
    widget = EditionSelect

    def label_from_instance(self, obj):
        return f"{obj.edition.code} · {obj.label}"


class AreaChoiceField(forms.ModelChoiceField):
    widget = EditionSelect

    def label_from_instance(self, obj):
        return f"{obj.edition.code} · {obj.code} {obj.title}"


# Kinds and formats whose documents are still being built: not offered until they are.
PENDING_KINDS: set = set()
PENDING_FORMATS: set = set()

# Kinds that print each measure's account: too long for a very large plan.
FULL_KINDS = {Report.Kind.EDITION, Report.Kind.AREA, Report.Kind.AGENCY, Report.Kind.OVERDUE, Report.Kind.ANNUAL}


def measures_in_scope(*, kind, edition, area=None, agency=None) -> int:
    """How many measures a report of this kind prints (one query)."""
    measures = Measure.objects.filter(edition=edition)
    if kind == Report.Kind.AREA and area is not None:
        measures = measures.filter(area=area)
    elif kind == Report.Kind.AGENCY and agency is not None:
        measures = measures.filter(assignments__agency=agency).distinct()
    elif kind == Report.Kind.OVERDUE:
        measures = measures.filter(overdue_condition(timezone.localdate()))
    return measures.count()


def large_editions(country_id: int | None) -> dict:
    """The country's plans too large to print whole, with their number of measures (one query)."""
    limit = settings.REPORT_FULL_PDF_MAX_MEASURES
    counted = (
        in_country(Edition.objects.all(), country_id)
        .annotate(measure_count=Count("measures"))
        .filter(measure_count__gt=limit)
    )
    return {edition.pk: edition.measure_count for edition in counted}


class SourceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = f"{obj.reference} · {obj.title}" if str(obj.title) else obj.reference
        return f"{label} ({_('illustrative')})" if obj.is_illustrative else label


class ReportRequestForm(forms.Form):
    """What to put in a report. The choices offered are those the person may request, of the current
    country only (`country_id`): a plan, period, area, agency or source of another country sent by hand
    is not a valid choice. The server checks again on submit, whatever the browser sends."""

    kind = forms.ChoiceField(label=_("Report"))
    edition = forms.ModelChoiceField(Edition.objects.all(), label=_("Action plan"), empty_label=None)
    period = PeriodChoiceField(
        ReportingPeriod.objects.select_related("edition").order_by("edition__code", "start"),
        label=_("State at the end of"),
        required=False,
        empty_label=_("Today (the current state)"),
        help_text=_("For the annual report: any period of the year it covers."),
    )
    agency = forms.ModelChoiceField(
        Agency.objects.filter(active=True), label=_("Agency"), required=False, help_text=_("For an agency's report.")
    )
    area = AreaChoiceField(
        Area.objects.select_related("edition").order_by("edition__code", "order", "code"),
        label=_("Area"),
        required=False,
        help_text=_("For an area's report."),
    )
    source = SourceChoiceField(
        RecommendationSource.objects.order_by("kind", "-year", "reference"),
        label=_("Recommendation source"),
        required=False,
        help_text=_("For the coverage of a source's recommendations: the measures of the chosen action plan count."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Report.Language.choices)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(v, label) for v, label in Report.Format.choices if v not in PENDING_FORMATS],
        help_text=_("The Word document (DOCX), to edit, is made for the annual report of the National Coordinator."),
    )

    def __init__(self, *args, user, country_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Every choice narrowed to the country: a filter on the query each field runs anyway, no query more.
        for name in ("edition", "period", "agency", "area", "source"):
            field = self.fields[name]
            field.queryset = in_country(field.queryset, country_id)
        self.fields["kind"].choices = [
            (value, label)
            for value, label in Report.Kind.choices
            if value not in PENDING_KINDS and permissions.may_request_report(user, kind=value, agency_id=user.agency_id)
        ]
        if user.role in permissions.REPORTING_ROLES:
            # A focal point or NGO asks for its own agency's report and nothing else.
            self.fields["agency"].queryset = in_country(Agency.objects.filter(pk=user.agency_id), country_id)
            self.fields["agency"].empty_label = None
            self.fields["agency"].help_text = ""
            self.initial.setdefault("agency", user.agency_id)
            self.initial.setdefault("kind", Report.Kind.AGENCY)
        # The page's script offers the Word document only for the kinds that have one; the server checks again.
        self.fields["format"].widget.attrs["data-docx-kinds"] = " ".join(sorted(DOCX_KINDS))
        language = (user.language or get_language() or "en")[:2]
        self.initial.setdefault("language", language if language in Report.Language.values else "en")

    def clean(self):
        data = super().clean()
        kind, edition = data.get("kind"), data.get("edition")
        # A field the kind does not use is ignored (the page hides it, but a browser without the script
        # still sends what was chosen there before the kind changed).
        if kind != Report.Kind.AREA:
            data["area"] = None
        if kind != Report.Kind.AGENCY:
            data["agency"] = None
        if kind != Report.Kind.COVERAGE:
            data["source"] = None
        else:
            # The coverage report shows the state today.
            data["period"] = None
        if kind == Report.Kind.QUALITY:
            # The review judges the plan as it stands today.
            data["period"] = None
            if data.get("format") and data["format"] != Report.Format.PDF:
                self.add_error("format", _("The quality review is made as a PDF document only."))
        period, agency, area = data.get("period"), data.get("agency"), data.get("area")
        if kind == Report.Kind.COVERAGE and not data.get("source"):
            self.add_error("source", _("Choose the recommendation source the report covers."))
        if kind == Report.Kind.AGENCY and not agency:
            self.add_error("agency", _("Choose the agency whose measures the report covers."))
        if kind == Report.Kind.AREA and not area:
            self.add_error("area", _("Choose the area the report covers."))
        if edition and period and period.edition_id != edition.pk:
            self.add_error("period", _("Choose a reporting period of the chosen action plan."))
        if edition and area and kind == Report.Kind.AREA and area.edition_id != edition.pk:
            self.add_error("area", _("Choose an area of the chosen action plan."))
        if data.get("format") == Report.Format.DOCX and kind and kind not in DOCX_KINDS:
            self.add_error(
                "format",
                _("A Word document (DOCX) is made only for the annual report of the National Coordinator."),
            )
        if kind in FULL_KINDS and edition and data.get("format") == Report.Format.PDF and not self.errors:
            count = measures_in_scope(kind=kind, edition=edition, area=area, agency=agency)
            limit = settings.REPORT_FULL_PDF_MAX_MEASURES
            if count > limit:
                self.add_error(
                    "kind",
                    _(
                        "This report would print %(count)s measures, each with its account: too long to read, and "
                        "too long to prepare (at most %(limit)s). Choose the summary edition, one area's report, "
                        "or the XLSX format."
                    )
                    % {"count": count, "limit": limit},
                )
        if kind and not permissions.may_request_report(
            self.user, kind=kind, agency_id=agency.pk if agency and kind == Report.Kind.AGENCY else None
        ):
            raise forms.ValidationError(_("You may not request this report."))
        return data
