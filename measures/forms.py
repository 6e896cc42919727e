import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from measures.evidence import ACCEPT_ATTRIBUTE, check_evidence_file
from measures.models import ReportingPeriod, Status, StatusUpdate
from measures.services import UpdateData


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

    def __init__(self, *args, measure, evidence=(), submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.submitting = submitting
        # Files ticked for removal go with the same save, so nothing typed in the form is lost.
        self.fields["remove_files"].choices = [(item.pk, item.original_name) for item in evidence]
        # A file can be made restricted once attached, never the other way round: a mistake can only
        # hide a file, not expose it (remove it and attach it again to lift the mark).
        self.fields["restrict_files"].choices = [
            (item.pk, item.original_name) for item in evidence if not item.restricted
        ]
        self.fields["period"].queryset = ReportingPeriod.objects.filter(edition_id=measure.edition_id).order_by(
            "-start"
        )

    def clean(self):
        data = super().clean()
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
            narrative=data["narrative"].strip(),
            figures=data["figures"].strip(),
            restricted_details=data["restricted_details"].strip(),
            files_restricted=bool(data.get("files_restricted")),
            remove_files=tuple(data.get("remove_files") or ()),
            restrict_files=tuple(data.get("restrict_files") or ()),
        )

    @classmethod
    def initial_from(cls, update: StatusUpdate) -> dict:
        return {
            "period": update.period_id,
            "status": update.status,
            "progress": update.progress,
            "narrative": update.narrative,
            "figures": update.figures,
            "restricted_details": update.restricted_details,
            "version": update.version,
        }


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
