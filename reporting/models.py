import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from measures.models import Area, Edition, RecommendationSource, ReportingPeriod
from nap_tracker.models import Agency


def report_upload_to(instance, filename: str) -> str:
    # A random folder per report: names are predictable, paths are not.
    return f"reports/{uuid.uuid4().hex}/{filename}"


class Report(models.Model):
    """A request for a document, and — once a worker has made it — the document itself."""

    class Kind(models.TextChoices):
        EDITION = "edition", _("Progress of the whole plan")
        # For a plan too large to print whole: the numbers and charts, without each measure's account.
        SUMMARY = "summary", _("Progress of the whole plan: summary edition (numbers and charts)")
        AREA = "area", _("One area of the plan")
        AGENCY = "agency", _("One agency's measures")
        OVERDUE = "overdue", _("Overdue measures")
        # The document the coordinator's office prepares each year from the central and local authorities' reports.
        ANNUAL = "annual", _("Annual report of the National Coordinator")
        # Issue 14: what each recommendation of one source is answered by; the plan's own quality review.
        COVERAGE = "coverage", _("Recommendations of one source and the measures answering them")
        QUALITY = "quality", _("Quality review of the plan")

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF document")
        XLSX = "xlsx", _("Excel workbook (XLSX)")
        CSV = "csv", _("Plain list (CSV)")
        DOCX = "docx", _("Word document (DOCX), to edit")

    class Language(models.TextChoices):
        EN = "en", "English"
        AZ = "az", "Azərbaycanca"
        RU = "ru", "Русский"

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EDITION)
    edition = models.ForeignKey(
        Edition, verbose_name=_("action plan"), on_delete=models.CASCADE, related_name="reports"
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        related_name="reports",
        null=True,
        blank=True,
        help_text=_("The state of the plan at the end of this period. Leave empty for the state today."),
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="reports", null=True, blank=True
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="reports", null=True, blank=True
    )
    source = models.ForeignKey(
        RecommendationSource,
        verbose_name=_("recommendation source"),
        on_delete=models.CASCADE,
        related_name="reports",
        null=True,
        blank=True,
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.EN)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.PDF)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    file = models.FileField(_("file"), upload_to=report_upload_to, max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="reports"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="agency") | Q(agency__isnull=False),
                name="report_agency_kind_names_agency",
                violation_error_message=_("Choose the agency whose measures the report covers."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="area") | Q(area__isnull=False),
                name="report_area_kind_names_area",
                violation_error_message=_("Choose the area the report covers."),
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | ~Q(file=""),
                name="report_done_has_file",
                violation_error_message=_("A finished report has a file."),
            ),
            models.CheckConstraint(
                condition=~Q(state="failed") | ~Q(error=""),
                name="report_failed_says_why",
                violation_error_message=_("A failed report says why."),
            ),
        ]
        indexes = [models.Index(fields=["state", "started_at"], name="report_state_started")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.edition_id and self.edition.code} · {self.language}"

    def clean(self):
        errors = {}
        if self.period_id and self.edition_id and self.period.edition_id != self.edition_id:
            errors["period"] = _("Choose a reporting period of the same action plan.")
        if self.area_id and self.edition_id and self.area.edition_id != self.edition_id:
            errors["area"] = _("Choose an area of the same action plan.")
        if errors:
            raise ValidationError(errors)

    @property
    def error_message(self) -> str:
        """The error in the reader's language where it is one of ours (stored in English); else as recorded."""
        return gettext(self.error) if self.error else ""

    @property
    def holds_restricted(self) -> bool:
        """The file quotes restricted details: its name says so (`reporting.rendering.report_filename`).
        Read from anywhere in the name, so that a suffix the storage adds cannot hide the mark."""
        return bool(self.file) and "-restricted" in self.file.name.rsplit("/", 1)[-1]

    @property
    def is_pending(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None
