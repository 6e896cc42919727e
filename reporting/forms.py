from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from measures.models import Area, Edition, ReportingPeriod
from nap_tracker import permissions
from nap_tracker.models import Agency
from reporting.models import Report


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.edition.code} · {obj.label}"


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.edition.code} · {obj.code} {obj.title}"


class ReportRequestForm(forms.Form):
    """What to put in a report. The choices offered are those the person may request; the
    server checks again on submit, whatever the browser sends."""

    kind = forms.ChoiceField(label=_("Report"))
    edition = forms.ModelChoiceField(Edition.objects.all(), label=_("Action plan"), empty_label=None)
    period = PeriodChoiceField(
        ReportingPeriod.objects.select_related("edition").order_by("edition__code", "start"),
        label=_("State at the end of"),
        required=False,
        empty_label=_("Today (the current state)"),
        help_text=_("For an annual summary: any period of the year it covers."),
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
    language = forms.ChoiceField(label=_("Language"), choices=Report.Language.choices)
    format = forms.ChoiceField(label=_("Format"), choices=Report.Format.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].choices = [
            (value, label)
            for value, label in Report.Kind.choices
            if permissions.may_request_report(user, kind=value, agency_id=user.agency_id)
        ]
        if user.role in permissions.REPORTING_ROLES:
            # A focal point or NGO asks for its own agency's report and nothing else.
            self.fields["agency"].queryset = Agency.objects.filter(pk=user.agency_id)
            self.fields["agency"].empty_label = None
            self.fields["agency"].help_text = ""
            self.initial.setdefault("agency", user.agency_id)
            self.initial.setdefault("kind", Report.Kind.AGENCY)
        language = (user.language or get_language() or "en")[:2]
        self.initial.setdefault("language", language if language in Report.Language.values else "en")

    def clean(self):
        data = super().clean()
        kind, edition = data.get("kind"), data.get("edition")
        period, agency, area = data.get("period"), data.get("agency"), data.get("area")
        if kind == Report.Kind.AGENCY and not agency:
            self.add_error("agency", _("Choose the agency whose measures the report covers."))
        if kind == Report.Kind.AREA and not area:
            self.add_error("area", _("Choose the area the report covers."))
        if edition and period and period.edition_id != edition.pk:
            self.add_error("period", _("Choose a reporting period of the chosen action plan."))
        if edition and area and kind == Report.Kind.AREA and area.edition_id != edition.pk:
            self.add_error("area", _("Choose an area of the chosen action plan."))
        if kind and not permissions.may_request_report(
            self.user, kind=kind, agency_id=agency.pk if agency and kind == Report.Kind.AGENCY else None
        ):
            raise forms.ValidationError(_("You may not request this report."))
        return data
