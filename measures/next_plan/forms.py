from django import forms
from django.utils.translation import gettext_lazy as _

from measures.models import Edition
from measures.next_plan.create import YEAR_RANGE, code_taken, years_reversed

YEAR_MESSAGES = {
    "required": _("Enter a year."),
    "invalid": _("Enter a year as four digits, e.g. 2025."),
    "min_value": _("Enter a year between 1900 and 2200."),
    "max_value": _("Enter a year between 1900 and 2200."),
}


class NextPlanForm(forms.Form):
    """The new plan's code, title and years, and which measures of the old plan it carries over. The form
    reads the values; `edition_start_next` judges them (its errors come back beside these fields)."""

    code = forms.CharField(
        label=_("Code of the new plan"),
        max_length=40,
        help_text=_("Letters, digits and hyphens, for example NAP-2025-2029."),
        error_messages={"required": _("Give the new plan a code, for example NAP-2025-2029.")},
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    title_az = forms.CharField(label=_("Title (Azerbaijani)"), max_length=300, required=False)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=300, required=False)
    start_year = forms.IntegerField(
        label=_("First year"), min_value=YEAR_RANGE[0], max_value=YEAR_RANGE[1], error_messages=YEAR_MESSAGES
    )
    end_year = forms.IntegerField(
        label=_("Last year"), min_value=YEAR_RANGE[0], max_value=YEAR_RANGE[1], error_messages=YEAR_MESSAGES
    )
    measures = forms.TypedMultipleChoiceField(
        label=_("Measures to carry over"),
        coerce=int,
        error_messages={
            "required": _("Choose at least one measure to carry over."),
            "invalid_choice": _(
                "One of the chosen measures is not a measure of this plan. Reload the page and choose again."
            ),
        },
    )

    def __init__(self, *args, measures, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the old plan's own measures can be chosen: an id from another plan is refused here, and again
        # by the service.
        self.fields["measures"].choices = [(measure.pk, measure.number) for measure in measures]
        for name in ("start_year", "end_year"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "class": "input-year"})

    def clean(self):
        # The service judges all of this again; asked here too, so that one answer names every mistake.
        data = super().clean()
        code = (data.get("code") or "").strip()
        if code and Edition.objects.filter(code__iexact=code).exists():
            self.add_error("code", code_taken(code))
        start, end = data.get("start_year"), data.get("end_year")
        if start is not None and end is not None and end < start:
            self.add_error("end_year", years_reversed(start, end))
        return data

    def chosen(self) -> set[int]:
        """The measures ticked: as posted when the form came back, else those carried by default."""
        if self.is_bound:
            # ASCII digits only: "²" is a digit to `str.isdigit` but no number to `int`.
            return {int(pk) for pk in self.data.getlist("measures") if pk.isascii() and pk.isdigit()}
        return set(self.initial.get("measures", ()))
