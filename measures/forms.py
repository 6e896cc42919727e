import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from measures.evidence import ACCEPT_ATTRIBUTE, check_evidence_file
from measures.models import (
    CURRENCY_VALIDATORS,
    Category,
    FundingSource,
    Indicator,
    ReportingPeriod,
    Status,
    StatusUpdate,
)
from measures.services import ResultValue, SpentAmount, UpdateData


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked for type and size, and errors name the file."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        checked, errors = [], []
        for uploaded in files:
            try:
                checked.append(check_evidence_file(super().clean(uploaded, initial)))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


class StatusUpdateForm(forms.Form):
    period = forms.ModelChoiceField(
        label=_("Reporting period"),
        queryset=ReportingPeriod.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose a reporting period of this measure's action plan.")},
    )
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        help_text=_("How much of the measure is done, from 0 to 100. A completed measure is at 100."),
        error_messages={
            "min_value": _("Progress cannot be below 0."),
            "max_value": _("Progress cannot be above 100."),
            "invalid": _("Enter progress as a whole number from 0 to 100."),
        },
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}),
    )
    # Asked, never detected: the author knows. The view preselects the person's interface language.
    language = forms.ChoiceField(
        label=_("Written in"),
        choices=settings.LANGUAGES,
        help_text=_(
            "The language of the texts below. Readers of another language see a note saying so; the texts are "
            "never translated automatically."
        ),
        error_messages={
            "required": _("Say in which language the update is written."),
            "invalid_choice": _("Choose the language of the update from the list."),
        },
    )
    narrative = forms.CharField(
        label=_("What was done"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("Activities in this period, with dates, places and numbers of people reached. Required to submit."),
    )
    figures = forms.CharField(
        label=_("Figures against the indicators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. For example: “Victims assisted: 41 (women 29, men 7, children 5)”."),
    )
    restricted_details = forms.CharField(
        label=_("Restricted details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Optional. Details that could identify a victim or a case: names, places, case numbers. Only the "
            "national coordinator's office and your agency see them. They never appear on other agencies' or "
            "partners' pages, in the public summary, in e-mails, or in reports requested by anyone but the "
            "coordinator's office."
        ),
    )
    files = MultipleFileField(
        label=_("Evidence files"),
        help_text=_("PDF, images or office documents, up to 10 MB each. You can choose several files."),
    )
    # One choice for the files chosen together: a file input cannot carry a mark per file without a
    # script, and nothing here needs one. A file can be marked restricted later from this form.
    files_restricted = forms.BooleanField(
        label=_("The files added now are restricted"),
        required=False,
        help_text=_(
            "Tick this if the files could identify a victim or a case: only the coordinator's office and your "
            "agency will be able to see or download them."
        ),
    )
    remove_files = forms.TypedMultipleChoiceField(
        label=_("Remove"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    restrict_files = forms.TypedMultipleChoiceField(
        label=_("Mark restricted"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, measure, evidence=(), submitting: bool = False, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.submitting = submitting
        self.read_only = read_only
        self._add_result_fields(measure)
        # Files ticked for removal go with the same save, so nothing typed in the form is lost.
        self.fields["remove_files"].choices = [(item.pk, item.original_name) for item in evidence]
        # A file can be made restricted once attached, never the other way round: a mistake can only
        # hide a file, not expose it (remove it and attach it again to lift the mark).
        self.fields["restrict_files"].choices = [
            (item.pk, item.original_name) for item in evidence if not item.restricted
        ]
        periods = list(ReportingPeriod.objects.filter(edition_id=measure.edition_id).order_by("-start"))
        self.open_periods = [period for period in periods if not period.is_closed]
        field = self.fields["period"]
        # Any period of the plan is accepted here, so that one closed while the form was open is refused by
        # the service with the reason; only the open ones are offered.
        field.queryset = ReportingPeriod.objects.filter(edition_id=measure.edition_id)
        shown = self.open_periods
        if read_only:
            # An update of a closed period, shown as it stands: nothing can be changed or sent.
            shown = [period for period in periods if period.pk == self.initial.get("period")]
            for form_field in self.fields.values():
                form_field.disabled = True
            if not self.initial.get("language"):
                # Written before the language was asked, and no longer open to say it: shown as unknown.
                self.fields["language"].required = False
                self.fields["language"].choices = [("", _("Not stated")), *settings.LANGUAGES]
        field.choices = [(period.pk, period.label) for period in shown]

    def _add_result_fields(self, measure):
        """A field per indicator (per breakdown category where it has one), validated by its unit, and
        a field per planned-budget line for the amount spent in the period, plus one for other money."""
        self.indicators = list(measure.indicator_set.all())
        self.indicator_rows = []  # (indicator, [bound fields]) for the template
        for indicator in self.indicators:
            names = []
            for category in indicator.categories or (Category.TOTAL,):
                name = f"indicator_{indicator.pk}_{category}"
                label = _("Value in this period") if category == Category.TOTAL else Category(category).label
                self.fields[name] = _indicator_field(indicator, label)
                names.append(name)
            self.indicator_rows.append((indicator, names))
        self.budget_lines = list(measure.budget_lines.select_related("source"))
        for line in self.budget_lines:
            self.fields[f"spent_line_{line.pk}"] = forms.DecimalField(
                label=_("Spent from %(source)s, in %(currency)s")
                % {"source": line.source.name if line.source else _("the planned budget"), "currency": line.currency},
                required=False,
                min_value=0,
                max_digits=16,
                decimal_places=2,
            )
        self.fields["spent_other_amount"] = forms.DecimalField(
            label=_("Other money spent"), required=False, min_value=0, max_digits=16, decimal_places=2
        )
        self.fields["spent_other_currency"] = forms.CharField(
            label=_("Currency"), required=False, max_length=3, initial="AZN", validators=CURRENCY_VALIDATORS
        )
        self.fields["spent_other_source"] = forms.ModelChoiceField(
            label=_("Funding source"),
            queryset=FundingSource.objects.all(),
            required=False,
            empty_label=_("Not stated"),
        )

    def result_fields(self):
        """The indicator fields grouped by indicator, for the template."""
        return [(indicator, [self[name] for name in names]) for indicator, names in self.indicator_rows]

    def spending_fields(self):
        return [self[f"spent_line_{line.pk}"] for line in self.budget_lines]

    def clean_spent_other_currency(self):
        return (self.cleaned_data.get("spent_other_currency") or "").strip().upper()

    def clean(self):
        data = super().clean()
        if data.get("spent_other_amount") is not None and not data.get("spent_other_currency"):
            self.add_error("spent_other_currency", _("Say in which currency the money was spent."))
        if data.get("status") == Status.COMPLETED and data.get("progress") not in (None, 100):
            self.add_error(
                "progress", _("A completed measure has 100% progress. Set progress to 100 or choose another status.")
            )
        if self.submitting and not (data.get("narrative") or "").strip():
            self.add_error("narrative", _("Describe what was done before you submit the update."))
        return data

    def update_data(self) -> UpdateData:
        data = self.cleaned_data
        return UpdateData(
            period=data["period"],
            status=data["status"],
            progress=data["progress"],
            language=data["language"],
            narrative=data["narrative"].strip(),
            figures=data["figures"].strip(),
            restricted_details=data["restricted_details"].strip(),
            files_restricted=bool(data.get("files_restricted")),
            remove_files=tuple(data.get("remove_files") or ()),
            indicator_values=tuple(self._indicator_values()),
            spending=tuple(self._spending()),
            restrict_files=tuple(data.get("restrict_files") or ()),
        )

    def _indicator_values(self):
        for indicator, names in self.indicator_rows:
            for name in names:
                value = self.cleaned_data.get(name)
                if value in (None, ""):
                    continue
                category = name.rsplit("_", 1)[1]
                if indicator.unit == Indicator.Unit.TEXT:
                    yield ResultValue(indicator.pk, category, None, value.strip())
                else:
                    yield ResultValue(indicator.pk, category, Decimal(value), "")

    def _spending(self):
        for line in self.budget_lines:
            amount = self.cleaned_data.get(f"spent_line_{line.pk}")
            if amount is not None:
                yield SpentAmount(line.source_id, amount, line.currency)
        if self.cleaned_data.get("spent_other_amount") is not None:
            source = self.cleaned_data.get("spent_other_source")
            yield SpentAmount(
                source.pk if source else None,
                self.cleaned_data["spent_other_amount"],
                self.cleaned_data["spent_other_currency"],
            )

    @classmethod
    def initial_from(cls, update: StatusUpdate) -> dict:
        initial = {
            "period": update.period_id,
            "status": update.status,
            "progress": update.progress,
            "language": update.language,
            "narrative": update.narrative,
            "figures": update.figures,
            "restricted_details": update.restricted_details,
            "version": update.version,
        }
        for value in update.indicator_values.select_related("indicator"):
            unit = value.indicator.unit
            shown = value.text if unit == Indicator.Unit.TEXT else value.value
            if unit == Indicator.Unit.YES_NO and value.value is not None:
                shown = str(int(value.value))
            initial[f"indicator_{value.indicator_id}_{value.category}"] = shown
        lines = {(line.source_id, line.currency): line.pk for line in update.measure.budget_lines.all()}
        for spent in update.spending.all():
            line = lines.pop((spent.source_id, spent.currency), None)
            if line is not None:
                initial[f"spent_line_{line}"] = spent.amount
            else:
                initial.update(
                    spent_other_amount=spent.amount,
                    spent_other_currency=spent.currency,
                    spent_other_source=spent.source_id,
                )
        return initial


def _indicator_field(indicator: Indicator, label: str):
    """A field that accepts only what the indicator's unit allows."""
    Unit = Indicator.Unit
    if indicator.unit == Unit.TEXT:
        return forms.CharField(label=label, required=False, max_length=500)
    if indicator.unit == Unit.YES_NO:
        return forms.TypedChoiceField(
            label=label,
            required=False,
            choices=[("", _("Not reported")), ("1", _("Yes")), ("0", _("No"))],
            coerce=int,
            empty_value=None,
        )
    if indicator.unit == Unit.PERCENT:
        return forms.DecimalField(
            label=label, required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2
        )
    return forms.DecimalField(label=label, required=False, min_value=0, max_digits=16, decimal_places=2)


REASON_MAX_LENGTH = 1000


class DeadlineRevisionForm(forms.Form):
    """A measure's new deadline and why; the service checks the date against the measure and its plan."""

    new_deadline = forms.DateField(
        label=_("New deadline"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Choose the new deadline."), "invalid": _("Enter a real date.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown with the deadline on the measure's page, in the CSV and in reports: for example the decision "
            "that moved it, or what the executing body is waiting for."
        ),
        error_messages={"required": _("Say why the deadline is revised.")},
    )


class PeriodCloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: “Reporting for 2023 is complete; the annual report is based on it.”"),
    )


class PeriodReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the period reopened?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required. Everyone who opens the period's page reads it."),
        error_messages={"required": _("Say why the period is reopened.")},
    )


class CommentForm(forms.Form):
    """A comment in an update's thread; the update's own agency may attach the document asked for."""

    text = forms.CharField(label=_("Add a comment"), required=False, max_length=4000, strip=True)
    files = MultipleFileField(
        label=_("Attach files"),
        help_text=_("Optional: the document asked for. PDF, images or office documents, up to 10 MB each."),
    )
    files_restricted = forms.BooleanField(label=_("The files attached now are restricted"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("text") and not cleaned.get("files") and not self.errors:
            raise ValidationError(_("Write your comment before you send it."))
        return cleaned


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the agency"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you return the update: say what to change."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, returning: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.returning = returning

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if self.returning and not note:
            raise ValidationError(_("Write a note that tells the agency what to change."))
        return note


class ShownVersionsField(forms.Field):
    """The queue's ticks: each posts "update id:version" as the page showed it."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Tick at least one update to approve."),
        "stale_page": _(
            "The review queue you approved from is out of date. Open the queue again and tick the updates."
        ),
    }
    PATTERN = re.compile(r"^(\d{1,18}):(\d{1,9})$")

    def to_python(self, value) -> list[tuple[int, int]]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        pairs = []
        for item in values:
            match = self.PATTERN.match(str(item))
            if not match:
                raise ValidationError(self.error_messages["stale_page"], code="stale_page")
            pair = (int(match.group(1)), int(match.group(2)))
            if pair not in pairs:
                pairs.append(pair)
        return pairs


class BulkApproveForm(forms.Form):
    updates = ShownVersionsField()


class ConsolidatedStatusForm(forms.Form):
    """The coordinator's office sets the measure's status itself, with a note saying why."""

    status = forms.ChoiceField(label=_("Consolidated status"), choices=Status.choices)
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": _("Progress cannot be below 0."),
            "max_value": _("Progress cannot be above 100."),
            "invalid": _("Enter progress as a whole number from 0 to 100."),
        },
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_(
            "Why the coordinator's office sets this status — for example, the bodies' reports disagree or are "
            "missing. Everyone who reads the measure sees the note with the status, and reports print it."
        ),
        error_messages={"required": _("Say why the coordinator's office sets this status: the note is shown with it.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == Status.COMPLETED and data.get("progress") not in (None, 100):
            self.add_error(
                "progress", _("A completed measure has 100% progress. Set progress to 100 or choose another status.")
            )
        return data
