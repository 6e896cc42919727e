import re
import uuid
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from nap_tracker.i18n import Translated
from nap_tracker.models import Agency

PROGRESS_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class Pillar(models.TextChoices):
    PREVENTION = "prevention", _("Prevention")
    PROTECTION = "protection", _("Protection")
    PROSECUTION = "prosecution", _("Prosecution")
    PARTNERSHIP = "partnership", _("Partnership")
    COORDINATION = "coordination", _("Coordination and monitoring")


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    ONGOING = "ongoing", _("Ongoing (continuous)")
    DELAYED = "delayed", _("Delayed")
    NOT_IMPLEMENTED = "not_implemented", _("Not implemented")


class Edition(models.Model):
    """One national action plan, e.g. NAP 2020–2024."""

    class State(models.TextChoices):
        # A plan's draft and an update's draft are different words in Russian (проект / черновик).
        DRAFT = "draft", pgettext_lazy("action plan state", "Draft")
        ACTIVE = "active", pgettext_lazy("action plan state", "Active")
        CLOSED = "closed", pgettext_lazy("action plan state", "Closed")

    country = models.ForeignKey(
        "nap_tracker.Country", verbose_name=_("country"), on_delete=models.PROTECT, related_name="editions"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("For example NAP-2020-2024."))
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_az = models.CharField(_("title (Azerbaijani)"), max_length=300, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    approved_on = models.DateField(_("approval date"), null=True, blank=True)
    legal_basis_en = models.CharField(_("legal basis (English)"), max_length=300, blank=True)
    legal_basis_az = models.CharField(_("legal basis (Azerbaijani)"), max_length=300, blank=True)
    legal_basis_ru = models.CharField(_("legal basis (Russian)"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    published = models.BooleanField(
        _("public summary published"),
        default=False,
        help_text=_("Show a public summary of this plan to visitors who are not signed in."),
    )

    history = HistoricalRecords()

    title = Translated("title")
    legal_basis = Translated("legal_basis")

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-start_year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__lte=F("end_year")),
                name="edition_start_year_not_after_end_year",
                violation_error_message=_("The first year cannot come after the last year."),
            ),
            models.CheckConstraint(
                condition=~Q(title_en="") | ~Q(title_az="") | ~Q(title_ru=""),
                name="edition_has_a_title",
                violation_error_message=_("Give the plan a title in at least one language."),
            ),
        ]

    def __str__(self):
        # The full titles are long sentences; lists and menus show the code, e.g. NAP-2020-2024.
        return self.code

    @property
    def period_label(self):
        return f"{self.start_year}–{self.end_year}"


class Area(models.Model):
    """A section of a plan, such as 4.1 'Improving the legal base and institutional mechanisms'."""

    edition = models.ForeignKey(Edition, verbose_name=_("action plan"), on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("number"), max_length=20)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_az = models.CharField(_("title (Azerbaijani)"), max_length=300, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True)
    pillar = models.CharField(_("pillar"), max_length=20, choices=Pillar.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Example wording, not the official title of this section of the plan."),
    )

    history = HistoricalRecords()

    title = Translated("title")

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["edition", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "code"],
                name="area_code_unique_in_edition",
                violation_error_message=_("This plan already has an area with this number."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


def number_sort_key(number: str) -> str:
    """'4.1.10' sorts after '4.1.9': each numeric part is zero-padded."""
    parts = re.split(r"[.\s]+", number.strip())
    return ".".join(part.zfill(5) if part.isdigit() else part.lower() for part in parts if part)


def overdue_condition(today: date | None = None) -> Q:
    """Work still expected and late: the deadline in force has passed, the measure is neither completed nor
    continuous ("ongoing"), and its plan is active (docs: DESIGN.md, "Decisions taken since the first wave").
    The one definition: the lists, counts, reports and the API all read it, and `Measure.is_overdue` says the
    same of one measure. Derived, never stored."""
    return (
        Q(deadline__lt=today or timezone.localdate())
        & ~Q(status__in=(Status.COMPLETED, Status.ONGOING))
        & Q(edition__state=Edition.State.ACTIVE)
    )


def unfinished_condition(today: date | None = None) -> Q:
    """What overdue becomes once the plan is closed: "not completed by the plan's end" — the deadline in force
    has passed and the measure is not completed. A continuous measure is spared only while its plan runs: at
    the plan's end it was not completed either."""
    return (
        Q(deadline__lt=today or timezone.localdate())
        & ~Q(status=Status.COMPLETED)
        & Q(edition__state=Edition.State.CLOSED)
    )


def revised_condition() -> Q:
    """The measure's deadline has been revised at least once."""
    return Q(Exists(DeadlineRevision.objects.filter(measure=OuterRef("pk"))))


class MeasureQuerySet(models.QuerySet):
    def overdue(self, today: date | None = None):
        return self.filter(overdue_condition(today))

    def with_original_deadline(self):
        """Each measure with `deadline_revised` (bool) and `original_deadline` (the plan's own date,
        before the first revision; None when never revised): two subqueries in the same query."""
        first = DeadlineRevision.objects.filter(measure=OuterRef("pk")).order_by("revised_at", "pk")
        return self.annotate(
            deadline_revised=Exists(first),
            original_deadline=Subquery(first.values("old_deadline")[:1]),
        )


class Measure(models.Model):
    """One measure of a plan. `status` and `progress` are the status in force: the consolidated status the
    coordinator's office set, or else its responsible bodies' approved report (see `measures.assessments`)."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("action plan"), on_delete=models.CASCADE, related_name="measures"
    )
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="measures")
    number = models.CharField(_("number"), max_length=20, help_text=_("The number the plan gives, e.g. 4.1.1."))
    sort_key = models.CharField(max_length=80, editable=False, db_index=True)
    title_en = models.TextField(_("measure (English)"), blank=True)
    title_az = models.TextField(_("measure (Azerbaijani)"), blank=True)
    title_ru = models.TextField(_("measure (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_az = models.TextField(_("description (Azerbaijani)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    expected_result_en = models.TextField(_("expected result (English)"), blank=True)
    expected_result_az = models.TextField(_("expected result (Azerbaijani)"), blank=True)
    expected_result_ru = models.TextField(_("expected result (Russian)"), blank=True)
    indicators_en = models.TextField(_("indicators (English)"), blank=True)
    indicators_az = models.TextField(_("indicators (Azerbaijani)"), blank=True)
    indicators_ru = models.TextField(_("indicators (Russian)"), blank=True)
    period_text_en = models.CharField(
        _("implementation period as worded in the plan (English)"),
        max_length=200,
        blank=True,
        help_text=_("For example “2020–2024, annually”."),
    )
    period_text_az = models.CharField(
        _("implementation period as worded in the plan (Azerbaijani)"), max_length=200, blank=True
    )
    period_text_ru = models.CharField(
        _("implementation period as worded in the plan (Russian)"), max_length=200, blank=True
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    financing_source_en = models.CharField(_("financing source (English)"), max_length=300, blank=True)
    financing_source_az = models.CharField(_("financing source (Azerbaijani)"), max_length=300, blank=True)
    financing_source_ru = models.CharField(_("financing source (Russian)"), max_length=300, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Example wording, not the official text of the plan. Shown on every page that shows the measure."),
    )
    continues = models.ForeignKey(
        "self",
        verbose_name=_("continues"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        help_text=_("The measure of an earlier plan that this one carries on."),
    )
    agencies = models.ManyToManyField(
        Agency, through="MeasureAgency", related_name="measures", verbose_name=_("agencies")
    )
    recommendations = models.ManyToManyField(
        "Recommendation",
        verbose_name=_("recommendations answered"),
        related_name="measures",
        blank=True,
        help_text=_("The international or national recommendations this measure answers."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED, editable=False
    )
    progress = models.PositiveSmallIntegerField(
        _("progress %"), default=0, validators=PROGRESS_VALIDATORS, editable=False
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True, editable=False)
    # The coordinator's office may settle the measure's status itself, with a note saying why (the
    # bodies' reports disagree, or say nothing). While it is set it is the status in force:
    # `status` and `progress` above carry it, and every page says whose status it is.
    consolidated_status = models.CharField(
        _("consolidated status"), max_length=20, choices=Status.choices, blank=True, editable=False
    )
    consolidated_progress = models.PositiveSmallIntegerField(
        _("consolidated progress %"), null=True, blank=True, validators=PROGRESS_VALIDATORS, editable=False
    )
    consolidated_note = models.TextField(_("note on the consolidated status"), blank=True, editable=False)
    consolidated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consolidated by"),
        on_delete=models.PROTECT,
        related_name="consolidated_measures",
        null=True,
        blank=True,
        editable=False,
    )
    consolidated_at = models.DateTimeField(_("consolidated on"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["sort_key"], m2m_fields=["recommendations"])
    objects = MeasureQuerySet.as_manager()

    title = Translated("title")
    description = Translated("description")
    expected_result = Translated("expected_result")
    indicators = Translated("indicators")
    period_text = Translated("period_text")
    financing_source = Translated("financing_source")

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["edition", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "number"],
                name="measure_number_unique_in_edition",
                violation_error_message=_("This plan already has a measure with this number."),
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="measure_progress_between_0_and_100",
                violation_error_message=_("Progress must be between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(deadline__isnull=True) | Q(start_date__lte=F("deadline")),
                name="measure_start_not_after_deadline",
                violation_error_message=_("The start cannot come after the deadline."),
            ),
            models.CheckConstraint(
                condition=~Q(title_en="") | ~Q(title_az="") | ~Q(title_ru=""),
                name="measure_has_a_title",
                violation_error_message=_("Give the measure a title in at least one language."),
            ),
            # Set as a whole or not at all: a status, its progress, the note saying why, who and when.
            models.CheckConstraint(
                condition=(
                    Q(consolidated_status="")
                    & Q(consolidated_progress__isnull=True)
                    & Q(consolidated_note="")
                    & Q(consolidated_at__isnull=True)
                )
                | (
                    ~Q(consolidated_status="")
                    & Q(consolidated_progress__gte=0)
                    & Q(consolidated_progress__lte=100)
                    & ~Q(consolidated_note="")
                    & Q(consolidated_at__isnull=False)
                ),
                name="measure_consolidated_status_complete",
                violation_error_message=_("A consolidated status has a progress and a note."),
            ),
            models.CheckConstraint(
                condition=~Q(consolidated_status="completed") | Q(consolidated_progress=100),
                name="measure_consolidated_completed_means_100",
                violation_error_message=_("A completed measure has 100% progress."),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        self.sort_key = number_sort_key(self.number)
        if kwargs.get("update_fields") is not None and "number" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_key"}
        super().save(*args, **kwargs)

    def clean(self):
        if self.area_id and self.edition_id and self.area.edition_id != self.edition_id:
            raise ValidationError({"area": _("Choose an area of the same action plan.")})
        if self.continues_id and self.continues_id == self.pk:
            raise ValidationError({"continues": _("A measure cannot continue itself.")})
        if self.continues_id and self.edition_id and self.continues.edition_id == self.edition_id:
            raise ValidationError({"continues": _("Choose a measure of an earlier action plan.")})

    def _past_deadline(self, today: date | None) -> bool:
        return bool(self.deadline and self.deadline < (today or timezone.localdate()))

    def is_overdue(self, today: date | None = None) -> bool:
        """`overdue_condition` for this measure. Reads `self.edition`: load it with the measure
        (select_related), or each call costs a query."""
        return (
            self._past_deadline(today)
            and self.status not in (Status.COMPLETED, Status.ONGOING)
            and self.edition.state == Edition.State.ACTIVE
        )

    def is_unfinished(self, today: date | None = None) -> bool:
        """`unfinished_condition` for this measure: in a closed plan, "not completed by the plan's end"."""
        return (
            self._past_deadline(today)
            and self.status != Status.COMPLETED
            and self.edition.state == Edition.State.CLOSED
        )

    @property
    def is_consolidated(self) -> bool:
        """The coordinator's office has set the status in force (see `measures.assessments`)."""
        return bool(self.consolidated_status)


class DeadlineRevision(models.Model):
    """The coordinator's office moved a measure's deadline, and said why. `Measure.deadline` is the
    deadline in force, so "overdue", reminders and reports follow the revised date; the first
    revision's `old_deadline` is the plan's original date. Append-only."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="deadline_revisions"
    )
    old_deadline = models.DateField(
        _("deadline before"), null=True, blank=True, help_text=_("Empty when the measure had no deadline.")
    )
    new_deadline = models.DateField(_("revised deadline"))
    reason = models.TextField(_("reason"))
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revised by"),
        on_delete=models.PROTECT,
        related_name="deadline_revisions",
    )
    revised_at = models.DateTimeField(_("revised"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline revision")
        verbose_name_plural = _("deadline revisions")
        ordering = ["revised_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="deadline_revision_has_reason",
                violation_error_message=_("Say why the deadline is revised."),
            ),
            models.CheckConstraint(
                condition=Q(old_deadline__isnull=True) | ~Q(old_deadline=F("new_deadline")),
                name="deadline_revision_changes_the_date",
                violation_error_message=_("A revised deadline differs from the one before."),
            ),
        ]
        indexes = [models.Index(fields=["measure", "revised_at"], name="deadline_revisions_in_order")]

    def __str__(self):
        return f"{self.old_deadline or '—'} → {self.new_deadline}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Deadline revisions are append-only: a revision cannot be edited.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Deadline revisions are append-only: a revision cannot be deleted.")


class MeasureAgency(models.Model):
    """The part an agency plays in a measure."""

    class Part(models.TextChoices):
        EXECUTING = "executing", _("Executing body")
        RECOMMENDED = "recommended", _("Recommended institution")
        PARTNER = "partner", _("Partner")

    RESPONSIBLE_PARTS = (Part.EXECUTING, Part.RECOMMENDED)

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="assignments"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="assignments")
    part = models.CharField(_("part"), max_length=20, choices=Part.choices, default=Part.EXECUTING)
    is_lead = models.BooleanField(
        _("lead"), default=False, help_text=_("The body that leads the measure and reports first.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agency's part in a measure")
        verbose_name_plural = _("agencies' parts in measures")
        ordering = ["measure", "-is_lead", "part", "agency__name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "agency"],
                name="measure_agency_once",
                violation_error_message=_("This agency already has a part in this measure."),
            ),
            models.CheckConstraint(
                condition=Q(is_lead=False) | Q(part="executing"),
                name="measure_agency_lead_is_executing",
                violation_error_message=_("Only an executing body can lead a measure."),
            ),
        ]

    def __str__(self):
        return f"{self.agency} — {self.get_part_display()}"


class ReportingPeriod(models.Model):
    """A period for which each body reports on its measures, e.g. 2021 H1."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("action plan"), on_delete=models.CASCADE, related_name="periods"
    )
    label = models.CharField(_("label"), max_length=40, help_text=_("For example “2021 H1”."))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    due_date = models.DateField(_("updates due"))
    # Set by `services.period_close`, cleared by `period_reopen`; each step is kept in PeriodChange.
    closed_at = models.DateTimeField(
        _("closed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("While a period is closed, no update for it can be written, changed, submitted or withdrawn."),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        related_name="closed_periods",
        null=True,
        blank=True,
        editable=False,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["edition", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="period_start_before_end",
                violation_error_message=_("The start of a period must come before its end."),
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("start")),
                name="period_due_not_before_start",
                violation_error_message=_("Updates cannot be due before the period starts."),
            ),
            models.UniqueConstraint(
                fields=["edition", "label"],
                name="period_label_unique_in_edition",
                violation_error_message=_("This plan already has a period with this label."),
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=False) | Q(closed_by__isnull=True),
                name="period_closed_by_only_when_closed",
                violation_error_message=_("Only a closed period has someone who closed it."),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class PeriodChange(models.Model):
    """A reporting period closed or reopened: by whom, when and why. Append-only, like an update's
    thread: the period's own fields say how it stands now, these rows how it came to."""

    class Kind(models.TextChoices):
        CLOSED = "closed", pgettext_lazy("reporting period", "Closed")
        REOPENED = "reopened", pgettext_lazy("reporting period", "Reopened")

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("reporting period"), on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(_("what happened"), max_length=10, choices=Kind.choices)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Required when a period is reopened."))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="period_changes"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("reporting period closed or reopened")
        verbose_name_plural = _("reporting periods closed or reopened")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="reopened") | ~Q(reason=""),
                name="period_reopened_has_reason",
                violation_error_message=_("Say why the period is reopened."),
            ),
        ]

    def __str__(self):
        return f"{self.period} · {self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The record of a period is append-only: a change cannot be edited.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The record of a period is append-only: a change cannot be deleted.")


class StatusUpdate(models.Model):
    """One agency's account of one measure for one reporting period, and its review."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for changes")

    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="updates")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="updates")
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("reporting period"), on_delete=models.PROTECT, related_name="updates"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    progress = models.PositiveSmallIntegerField(_("progress %"), validators=PROGRESS_VALIDATORS)
    narrative = models.TextField(_("what was done"), blank=True)
    figures = models.TextField(_("figures against the indicators"), blank=True)
    # The one language its texts are written in, as its author said. Empty for updates written before it
    # was asked: unknown, and never guessed. Pages and reports mark a text shown to a reader of another
    # language (`nap_tracker.templatetags.content.written_in`); nothing is translated.
    language = models.CharField(
        _("written in"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language the texts of this update are written in."),
    )
    # Seen only by the coordinator's office and the update's own agency: `permissions.may_see_restricted`.
    restricted_details = models.TextField(
        _("restricted details"),
        blank=True,
        help_text=_(
            "Details that could identify a victim or a case. Only the national coordinator's office and the "
            "update's own agency see them."
        ),
    )
    state = models.CharField(_("workflow state"), max_length=10, choices=State.choices, default=State.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="authored_updates"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="reviewed_updates",
        null=True,
        blank=True,
    )
    review_note = models.TextField(_("review note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Raised on every save, so that two people editing at once cannot overwrite each other."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        ordering = ["-period__start", "measure__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "agency", "period"],
                name="update_one_per_measure_agency_period",
                violation_error_message=_("This agency already has an update on this measure for this period."),
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="update_progress_between_0_and_100",
                violation_error_message=_("Progress must be between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(progress=100),
                name="update_completed_means_100",
                violation_error_message=_("A completed measure has 100% progress."),
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(review_note=""),
                name="update_returned_has_note",
                violation_error_message=_("Say why the update is returned."),
            ),
        ]
        indexes = [models.Index(fields=["state", "submitted_at"], name="update_review_queue")]

    def __str__(self):
        return f"{self.measure.number} · {self.agency.code} · {self.period.label}"

    def clean(self):
        if self.measure_id and self.period_id and self.period.edition_id != self.measure.edition_id:
            raise ValidationError({"period": _("Choose a reporting period of the measure's own action plan.")})


def evidence_upload_to(instance, filename: str) -> str:
    # A random name with the extension of the type the content showed: the uploader's name is kept
    # in the row, never trusted on disk.
    from measures.evidence import EXTENSIONS

    allowed = EXTENSIONS.get(instance.content_type, (".bin",))
    suffix = PurePath(filename).suffix.lower()
    return f"evidence/{uuid.uuid4().hex}{suffix if suffix in allowed else allowed[0]}"


class Evidence(models.Model):
    """A file that backs an update. Stored outside the web root; served only through a view that checks permission."""

    update = models.ForeignKey(
        StatusUpdate, verbose_name=_("status update"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Only the national coordinator's office and the update's own agency may see or download it."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="uploaded_evidence",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gt=0), name="evidence_not_empty", violation_error_message=_("The file is empty.")
            ),
        ]

    def __str__(self):
        return self.original_name


class DigestDelivery(models.Model):
    """One digest e-mail sent to one person: the record that stops a second one and shows who was reminded when.

    The key says which occurrence of the digest it was: the reporting period for the
    reminders before and after a due date, the ISO week for the coordinators' review digest.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Updates due soon")
        OVERDUE = "overdue", _("Updates overdue")
        REVIEW = "review", _("Updates waiting for review")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    kind = models.CharField(_("digest"), max_length=20, choices=Kind.choices)
    key = models.CharField(_("occurrence"), max_length=40, help_text=_("The reporting period or the week."))
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        related_name="digest_deliveries",
        null=True,
        blank=True,
    )
    email = models.EmailField(_("sent to"))
    item_count = models.PositiveIntegerField(_("items listed"), default=0)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    run = models.UUIDField(_("run"), editable=False, help_text=_("The run that claimed this delivery."))

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "key"],
                name="digest_once_per_person_kind_key",
                violation_error_message=_("This person has already received this digest."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.person} · {self.key}"


class UpdateEvent(models.Model):
    """One step in the life of an update, in one thread: submitted, returned with its note, a
    comment, resubmitted, withdrawn, approved, a file removed. Append-only: the record of what was
    reported and decided is never edited or deleted afterwards."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for changes")
        COMMENT = "comment", _("Comment")
        RESUBMITTED = "resubmitted", _("Corrected and resubmitted")
        WITHDRAWN = "withdrawn", _("Withdrawn to draft")
        APPROVED = "approved", _("Approved")
        FILE_ADDED = "file_added", _("File added")
        FILE_REMOVED = "file_removed", _("File removed")
        FILE_ERASED = "file_erased", _("File erased by an administrator")

    update = models.ForeignKey(
        StatusUpdate, verbose_name=_("status update"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("what happened"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="update_events",
        null=True,
        blank=True,
    )
    text = models.TextField(_("text"), blank=True, help_text=_("The review note, the comment, or the file's name."))
    # What the update said when it was returned, so the reviewer can see what changed since.
    snapshot = models.JSONField(_("the update at this step"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("update event")
        verbose_name_plural = _("update events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["update", "created_at"], name="update_event_thread")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The record of an update is append-only: an event cannot be changed.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The record of an update is append-only: an event cannot be deleted.")


class Notification(models.Model):
    """One person's notice of a step in an update's thread that asks something of them: an update
    returned to them, approved, a new comment, a new submission to review. Its words come from the
    event, in the reader's language when shown; reading it changes only `read_at`."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("for"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.ForeignKey(
        UpdateEvent, verbose_name=_("update event"), on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"], name="notification_once_per_person"),
        ]
        indexes = [
            # The header's unread count and the list, newest first, are both read by recipient.
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self):
        return f"{self.recipient} · {self.event}"


# --- Results: indicators with baselines and targets, planned and spent budgets ------------------


class Category(models.TextChoices):
    """The categories victims' statistics use; an indicator's breakdown picks some of them."""

    TOTAL = "total", _("Total")
    WOMEN = "women", _("Women")
    MEN = "men", _("Men")
    GIRLS = "girls", _("Girls")
    BOYS = "boys", _("Boys")
    CHILDREN = "children", _("Children")
    ADULTS = "adults", _("Adults")


class Indicator(models.Model):
    """A measurable sign that a measure works: a baseline, a target, and a value per reporting period
    reported in each update (per breakdown category where the indicator has one)."""

    class Unit(models.TextChoices):
        # "Number" is also a measure's number: the context keeps the two words apart in translation.
        NUMBER = "number", pgettext_lazy("indicator unit", "Number")
        PERCENT = "percent", _("Percent")
        YES_NO = "yes_no", _("Yes / no")
        TEXT = "text", _("Text")

    class Breakdown(models.TextChoices):
        NONE = "", _("No breakdown")
        SEX = "sex", _("By sex: women, men")
        AGE = "age", _("By age: children, adults")
        SEX_AGE = "sex_age", _("By sex and age: women, men, girls, boys")

    CATEGORIES = {
        Breakdown.NONE: (),
        Breakdown.SEX: (Category.WOMEN, Category.MEN),
        Breakdown.AGE: (Category.CHILDREN, Category.ADULTS),
        Breakdown.SEX_AGE: (Category.WOMEN, Category.MEN, Category.GIRLS, Category.BOYS),
    }

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="indicator_set"
    )
    name_en = models.CharField(_("indicator (English)"), max_length=300, blank=True)
    name_az = models.CharField(_("indicator (Azerbaijani)"), max_length=300, blank=True)
    name_ru = models.CharField(_("indicator (Russian)"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.NUMBER)
    breakdown = models.CharField(_("breakdown"), max_length=10, choices=Breakdown.choices, blank=True, default="")
    baseline_value = models.DecimalField(_("baseline"), max_digits=16, decimal_places=2, null=True, blank=True)
    baseline_text = models.CharField(_("baseline (text)"), max_length=300, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_value = models.DecimalField(_("target"), max_digits=16, decimal_places=2, null=True, blank=True)
    target_text = models.CharField(_("target (text)"), max_length=300, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    name = Translated("name")

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["measure", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_en="") | ~Q(name_az="") | ~Q(name_ru=""),
                name="indicator_has_a_name",
                violation_error_message=_("Give the indicator a name in at least one language."),
            ),
            models.CheckConstraint(
                condition=~Q(unit="percent")
                | (
                    (Q(baseline_value__isnull=True) | Q(baseline_value__gte=0, baseline_value__lte=100))
                    & (Q(target_value__isnull=True) | Q(target_value__gte=0, target_value__lte=100))
                ),
                name="indicator_percent_between_0_and_100",
                violation_error_message=_("A percentage is between 0 and 100."),
            ),
        ]

    def __str__(self):
        return str(self.name)

    @property
    def categories(self) -> tuple:
        return self.CATEGORIES.get(self.breakdown, ())


class IndicatorValue(models.Model):
    """The value an update reports for one indicator (and one breakdown category) in its period."""

    update = models.ForeignKey(
        StatusUpdate, verbose_name=_("status update"), on_delete=models.CASCADE, related_name="indicator_values"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="values"
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, default=Category.TOTAL)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, null=True, blank=True)
    text = models.CharField(_("value (text)"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["update", "indicator", "category"], name="indicator_value_once_per_update_and_category"
            ),
        ]

    def __str__(self):
        return f"{self.indicator} · {self.category}: {self.value if self.value is not None else self.text}"


class FundingSource(models.Model):
    """Who pays: the state budget, a named donor (USAID, EU, IOM …) or another source."""

    class Kind(models.TextChoices):
        STATE = "state", _("State budget")
        DONOR = "donor", _("Donor")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=30, unique=True, help_text=_("For example STATE, USAID, EU, IOM."))
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_az = models.CharField(_("name (Azerbaijani)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DONOR)
    history = HistoricalRecords()

    name = Translated("name")

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["kind", "code"]

    def __str__(self):
        return str(self.name) or self.code


CURRENCY_VALIDATORS = [
    RegexValidator(r"^[A-Z]{3}$", _("Write the currency as its three-letter code, e.g. AZN, USD or EUR."))
]


class BudgetLine(models.Model):
    """Money planned for a measure from one source, in one currency. Amounts in different currencies are
    never added together."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    source = models.ForeignKey(
        FundingSource,
        verbose_name=_("funding source"),
        on_delete=models.PROTECT,
        related_name="budget_lines",
        null=True,
        blank=True,
        help_text=_("Empty when the plan does not say."),
    )
    amount = models.DecimalField(
        _("planned amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="AZN", validators=CURRENCY_VALIDATORS)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("planned budget")
        verbose_name_plural = _("planned budget")
        ordering = ["measure", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency}"


class Spending(models.Model):
    """Money an update reports as spent in its period, from one source, in one currency."""

    update = models.ForeignKey(
        StatusUpdate, verbose_name=_("status update"), on_delete=models.CASCADE, related_name="spending"
    )
    source = models.ForeignKey(
        FundingSource,
        verbose_name=_("funding source"),
        on_delete=models.PROTECT,
        related_name="spending",
        null=True,
        blank=True,
    )
    amount = models.DecimalField(_("spent"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="AZN", validators=CURRENCY_VALIDATORS)

    class Meta:
        verbose_name = _("amount spent")
        verbose_name_plural = _("amounts spent")
        ordering = ["update", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="spending_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency}"


# --- International commitments: recommendations the plan answers --------------------------------


def recommendation_sort_key(number: str) -> str:
    """'§100' sorts after '§45', 'P10' after 'P3': every run of digits is zero-padded."""
    return re.sub(r"\d+", lambda match: match.group().zfill(5), number.strip().lower())


class RecommendationSource(models.Model):
    """A report or framework that makes recommendations to the country: a GRETA evaluation report, a US
    Trafficking in Persons report, a UN treaty body's or the UPR's conclusions, SDG 8.7, a national review."""

    class Kind(models.TextChoices):
        GRETA = "greta", _("GRETA (Council of Europe)")
        US_TIP = "us_tip", _("US Trafficking in Persons report")
        UN = "un", _("UN treaty body or Universal Periodic Review")
        SDG = "sdg", _("Sustainable Development Goals")
        NATIONAL = "national", _("National")

    country = models.ForeignKey(
        "nap_tracker.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="recommendation_sources",
        help_text=_("The country the recommendations are made to."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reference = models.CharField(
        _("reference"),
        max_length=60,
        help_text=_("How the source is cited, e.g. GRETA(2018)17, TIP 2024 or SDG 8.7. Imports name it this way."),
    )
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_az = models.CharField(_("title (Azerbaijani)"), max_length=300, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True)
    evaluation_round = models.PositiveSmallIntegerField(
        _("evaluation round"), null=True, blank=True, help_text=_("GRETA's evaluation round, where it has one.")
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    published_on = models.DateField(_("published"), null=True, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Example data, not an official report. Shown wherever the source is shown."),
    )
    history = HistoricalRecords()

    title = Translated("title")

    class Meta:
        verbose_name = _("recommendation source")
        verbose_name_plural = _("recommendation sources")
        ordering = ["kind", "-year", "reference"]
        constraints = [
            # One report (the US TIP report of a year) speaks to every country: each keeps it under the same name.
            models.UniqueConstraint(
                fields=["country", "reference"],
                name="recommendation_source_reference_unique_in_country",
                violation_error_message=_("This country already keeps a source with this reference."),
            ),
        ]

    def __str__(self):
        return self.reference


class Recommendation(models.Model):
    """One recommendation of a source, as numbered there (GRETA's paragraph, the TIP report's item)."""

    class Priority(models.TextChoices):
        NONE = "", _("Not given by the source")
        URGES = "urges", _("Urges (GRETA)")
        CONSIDERS = "considers", _("Considers (GRETA)")
        INVITES = "invites", _("Invites (GRETA)")
        PRIORITIZED = "prioritized", _("Prioritized recommendation (TIP)")
        RECOMMENDED = "recommended", _("Recommendation (TIP)")

    source = models.ForeignKey(
        RecommendationSource, verbose_name=_("source"), on_delete=models.CASCADE, related_name="recommendations"
    )
    number = models.CharField(
        _("number"), max_length=30, help_text=_("As the source numbers it, e.g. §45 for a paragraph or P3.")
    )
    sort_key = models.CharField(max_length=80, editable=False, db_index=True)
    text_en = models.TextField(_("recommendation (English)"), blank=True)
    text_az = models.TextField(_("recommendation (Azerbaijani)"), blank=True)
    text_ru = models.TextField(_("recommendation (Russian)"), blank=True)
    issued_on = models.DateField(_("date"), null=True, blank=True, help_text=_("Empty: the source's date."))
    priority = models.CharField(_("priority"), max_length=12, choices=Priority.choices, blank=True, default="")
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Paraphrased or example wording, not the source's official text. Shown wherever it is shown."),
    )
    history = HistoricalRecords(excluded_fields=["sort_key"])

    text = Translated("text")

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["source", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "number"],
                name="recommendation_number_unique_in_source",
                violation_error_message=_("This source already has a recommendation with this number."),
            ),
            models.CheckConstraint(
                condition=~Q(text_en="") | ~Q(text_az="") | ~Q(text_ru=""),
                name="recommendation_has_a_text",
                violation_error_message=_("Give the recommendation's text in at least one language."),
            ),
            models.CheckConstraint(
                condition=~Q(number=""),
                name="recommendation_has_a_number",
                violation_error_message=_("Give the recommendation's number as the source numbers it."),
            ),
        ]

    def __str__(self):
        return self.citation

    def save(self, *args, **kwargs):
        self.number = self.number.strip()
        self.sort_key = recommendation_sort_key(self.number)
        if kwargs.get("update_fields") is not None and "number" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_key"}
        super().save(*args, **kwargs)

    @property
    def citation(self) -> str:
        """ "GRETA(2018)17 §45": how imports and pages name it. Costs a query unless `source` is loaded."""
        return f"{self.source.reference} {self.number}"


# Everything a plan's pages and numbers are read from: what the measures list and the dashboard keep in the
# cache is given a new version when one of these is saved or deleted (measures/list_cache.py,
# reporting/caching.py). Agencies and funding sources belong to no one plan.
PLAN_CONTENT_MODELS = (
    Edition,
    Area,
    Measure,
    MeasureAgency,
    DeadlineRevision,
    ReportingPeriod,
    StatusUpdate,
    Indicator,
    BudgetLine,
    Agency,
    FundingSource,
)
