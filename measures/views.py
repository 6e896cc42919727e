import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from measures import assessments, comparison, coverage, inbox, list_cache, selectors, services, thread
from measures.evidence import ACCEPT_ATTRIBUTE
from measures.filters import MeasureFilter
from measures.forms import (
    BulkApproveForm,
    CommentForm,
    ConsolidatedStatusForm,
    DeadlineRevisionForm,
    PeriodCloseForm,
    PeriodReopenForm,
    ReviewForm,
    StatusUpdateForm,
)
from measures.models import (
    Edition,
    Evidence,
    Measure,
    MeasureAgency,
    Notification,
    Pillar,
    RecommendationSource,
    ReportingPeriod,
    Status,
    StatusUpdate,
)
from measures.next_plan import plan_is_ending
from nap_tracker import audit, permissions
from nap_tracker.countries import countries_for, current_country_id, in_countries, in_country
from nap_tracker.i18n import content_language_codes, current_content_language, language_name
from nap_tracker.spreadsheets import safe_cell

PAGE_SIZE = 25
# Starred out of the e-mail a server error sends to ADMINS: e-mails never carry restricted text.
RESTRICTED_POST_FIELDS = ("restricted_details",)


class SafeWriter:
    """A CSV writer whose text cells cannot run as formulas in a spreadsheet program."""

    def __init__(self, stream):
        self.writer = csv.writer(stream)

    def writerow(self, row):
        return self.writer.writerow([safe_cell(value) for value in row])


# --- Home -------------------------------------------------------------------------------


@login_required
def home(request):
    """Each role lands on the work it does: reporting, reviewing, or following progress."""
    user = request.user
    if user.role in permissions.REPORTING_ROLES:
        # What needs action, a few of each with how many in all: never every measure of the agency.
        context = {"work": selectors.reporting_work(user), "today": timezone.localdate()}
        return render(request, "measures/home_reporting.html", context)
    country = current_country_id(request)
    context = {"summaries": selectors.edition_summaries(country)}
    if permissions.is_staff_role(user):
        context["queue"] = list(selectors.review_queue(country, limit=15))
        context["queue_total"] = (
            in_country(StatusUpdate.objects.all(), country).filter(state=StatusUpdate.State.SUBMITTED).count()
        )
        context["overdue"] = list(selectors.measures_for_list(country).overdue().order_by("deadline", "sort_key")[:10])
        context["not_reported"] = selectors.agencies_not_reported(country)
        # The plans whose successor the office may draft now: their last year has come, or they are closed.
        today = timezone.localdate()
        context["next_plan_from"] = {
            s.edition.pk
            for s in context["summaries"]
            if permissions.may_start_next_plan(user) and plan_is_ending(s.edition, today)
        }
        template = "measures/home_coordinator.html"
    else:
        areas = selectors.progress_by_area([s.edition for s in context["summaries"]])
        context["areas"] = [(s, areas[s.edition.pk]) for s in context["summaries"]]
        template = "measures/home_partner.html"
    return render(request, template, context)


# --- Measures ---------------------------------------------------------------------------


def _filtered_measures(request):
    return MeasureFilter(
        request.GET or None, queryset=selectors.measures_for_list(current_country_id(request)), request=request
    )


@login_required
def measure_list(request):
    # The content (filters, count, rows, pages) comes from the cache while no measure has changed
    # (measures/list_cache.py); the page around it is written for this person on each visit.
    today = timezone.localdate()
    key = list_cache.content_key(request, current_country_id(request), today)
    content = list_cache.cached_content(key, lambda: _measure_list_content(request, today), person_id=request.user.pk)
    return render(request, "measures/measure_list.html", {"content": mark_safe(content)})


def _measure_list_content(request, today) -> str:
    # Filter, sort, count and page over bare ids; then load the page's 25 rows whole (selectors.measure_rows).
    # The filter narrows the list to the current country (measures/filters.py).
    measure_filter = MeasureFilter(request.GET or None, queryset=Measure.objects.all(), request=request)
    page = Paginator(measure_filter.qs.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.measure_rows(page.object_list)
    # Each row's independent assessment, if an NGO partner's update is approved. One query.
    found = selectors.ngo_assessments([measure.pk for measure in page])
    # The agency's draft or returned updates on this page's measures: the row leads to them. One query.
    open_updates = (
        selectors.open_updates_by_measure(request.user, [measure.pk for measure in page])
        if request.user.role in permissions.REPORTING_ROLES
        else {}
    )
    # The labels of statuses and pillars, translated once for the page: `get_status_display` rebuilds
    # its table of choices on every call, 50 times a page.
    status_labels = {value: str(label) for value, label in Status.choices}
    pillar_labels = {value: str(label) for value, label in Pillar.choices}
    for measure in page:
        measure.status_label = status_labels.get(measure.status, measure.status)
        measure.pillar_label = pillar_labels.get(measure.area.pillar, measure.area.pillar)
        measure.assessment = found.get(measure.pk)
        measure.assessment_disagrees = measure.assessment is not None and assessments.disagree(
            measure.status, measure.progress, measure.assessment.status, measure.assessment.progress
        )
        # Set on every row, None included: a name the template cannot find costs a dir() of the measure.
        measure.open_update = open_updates.get(measure.pk)
        # The badge under the deadline, by the one rule (models.overdue_condition), from the plan loaded with
        # the row: "Overdue" in a running plan, "Not completed by the plan's end" in a closed one.
        measure.overdue = measure.is_overdue(today)
        measure.unfinished = not measure.overdue and measure.is_unfinished(today)
    query = request.GET.copy()
    query.pop("page", None)
    # The links are written in UTF-8 whatever charset the request declared (a GET may carry a Content-Type):
    # the content is kept under the filters as read, and served to everyone who asks for the same filters.
    query.encoding = "utf-8"
    # Written without the request: nothing personal may enter what the cache shares (measures/list_cache.py).
    return render_to_string(
        "measures/includes/measure_list_content.html",
        {"filter": measure_filter, "page": page, "query": query.urlencode()},
    )


class _Echo:
    """A file that hands back what is written to it, for a CSV writer feeding a streaming response."""

    def write(self, value):
        return value


CSV_CHUNK = 500


@login_required
def measure_csv(request):
    """The filtered list as CSV, opened in Excel with Azerbaijani letters intact (UTF-8 with a byte-order mark).

    Streamed: the first bytes leave at once and memory stays flat for any size of plan, because
    measures are read from the database chunk by chunk (`selectors.measures_for_export`)."""
    measures = _filtered_measures(request).qs
    writer = SafeWriter(_Echo())
    # Rows are written after the view has returned: they keep the reader's language and time zone.
    language, zone = translation.get_language(), timezone.get_current_timezone()
    header = writer.writerow(
        [
            _("Action plan"),
            _("Number"),
            _("Measure"),
            _("Area"),
            _("Executing bodies"),
            _("Partners"),
            _("Status"),
            _("Progress %"),
            _("Deadline"),
            _("Original deadline"),
            _("Deadline revisions"),
            _("Overdue"),
            _("Wording"),
            _("Latest approved update"),
            _("Written in"),
            _("Approved by"),
            _("Approved on"),
            _("Consolidated by the coordinator's office"),
            _("Independent assessment by"),
            _("Assessed status"),
            _("Assessed progress %"),
            _("Assessment period"),
            _("Disagrees"),
        ]
    )
    today = timezone.localdate()

    def rows():
        yield "\ufeff" + header
        with translation.override(language), timezone.override(zone):
            # Words every row repeats, translated once rather than 10,000 times.
            words = {
                "yes": _("yes"),
                "illustrative": _("Illustrative"),
                "official": _("Official"),
                "status": {value: str(label) for value, label in Status.choices},
                "language": {code: language_name(code) for code in content_language_codes()},
            }
            for chunk in selectors.measures_for_export(measures, chunk_size=CSV_CHUNK):
                yield "".join(writer.writerow(_csv_row(measure, today, words)) for measure in chunk)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="nap-measures.csv"'
    return response


def _csv_row(measure, today, words) -> list:
    """One measure as a row, from what `selectors.measures_for_export` loaded with it: no query."""
    revisions = measure.revision_list
    assessment = measure.assessment
    approval = measure.approval
    executing = [str(a.agency) for a in measure.agency_parts if a.part != MeasureAgency.Part.PARTNER]
    partners = [str(a.agency) for a in measure.agency_parts if a.part == MeasureAgency.Part.PARTNER]
    reviewer = approval.reviewer if approval else None
    return [
        measure.edition.code,
        measure.number,
        measure.title,
        measure.area.code,
        "; ".join(executing),
        "; ".join(partners),
        words["status"].get(measure.status, measure.status),
        measure.progress,
        measure.deadline or "",
        (revisions[0].old_deadline or "") if revisions else "",
        "; ".join(_revision_text(revision) for revision in revisions),
        words["yes"] if measure.is_overdue(today) else "",
        words["illustrative"] if measure.is_illustrative else words["official"],
        approval.period.label if approval else "",
        # Empty when the update does not say (written before it was asked).
        words["language"].get(approval.language, "") if approval else "",
        (f"{reviewer.first_name} {reviewer.last_name}".strip() or reviewer.username) if reviewer else "",
        timezone.localtime(approval.reviewed_at).date() if approval and approval.reviewed_at else "",
        measure.consolidated_note if measure.is_consolidated else "",
        str(assessment.agency) if assessment else "",
        words["status"].get(assessment.status, assessment.status) if assessment else "",
        assessment.progress if assessment else "",
        assessment.period.label if assessment else "",
        words["yes"]
        if assessment and assessments.disagree(measure.status, measure.progress, assessment.status, assessment.progress)
        else "",
    ]


def _revision_text(revision) -> str:
    """One revision in a cell of the CSV, in no language and with ISO dates, which spreadsheets read:
    "2022-12-31 → 2024-06-30 (2023-03-12): reason"."""
    revised_on = timezone.localdate(revision.revised_at)
    return f"{revision.old_deadline or '—'} → {revision.new_deadline} ({revised_on}): {revision.reason}"


def _prepare_update(user, update: StatusUpdate) -> StatusUpdate:
    """What this person may do with the update and see of it, for the update card and its thread: the
    restricted details and files only for those `permissions.may_see_restricted` allows (reads the
    prefetched evidence and events)."""
    update.may_edit = permissions.may_edit_update(user, update)
    update.may_withdraw = permissions.may_withdraw_update(user, update)
    update.may_review = permissions.may_review_update(user, update)
    update.may_comment = permissions.may_comment_update(user, update)
    update.may_attach = update.may_comment and permissions.may_remove_evidence(user, update)
    update.may_see_restricted = permissions.may_see_restricted(user, update)
    update.files = [item for item in update.evidence.all() if update.may_see_restricted or not item.restricted]
    thread.mark_restricted_files(update)
    return update


def _standing(measure, approved) -> dict:
    """The status in force beside the independent assessment, from the measure's approved updates
    (with agency and period) and its prefetched agencies: no query."""
    assignments = list(measure.assignments.all())
    assessment = assessments.ngo_assessment(approved, assignments)
    return {
        "self_report": assessments.self_report(approved, assignments),
        "assessment": assessment,
        "has_ngo_partner": bool(assessments.ngo_agencies(assignments)),
        "disagrees": assessment is not None
        and assessments.disagree(measure.status, measure.progress, assessment.status, assessment.progress),
    }


@login_required
def measure_detail(request, pk):
    measure = selectors.measure_for_page(request.user, pk, with_recommendations=True)
    user = request.user
    updates = selectors.updates_for_measure(measure, user)
    approved = [u for u in updates if u.state == StatusUpdate.State.APPROVED]
    in_work = [u for u in updates if u.state != StatusUpdate.State.APPROVED]
    for update in updates:
        _prepare_update(user, update)
        # In a closed period the agency may still read and comment, but not change, withdraw or add files.
        if update.period.is_closed:
            update.may_withdraw = False
            update.may_attach = False
    may_add_update = permissions.may_add_update(user, measure, measure.edition)
    return render(
        request,
        "measures/measure_detail.html",
        {
            "measure": measure,
            "revisions": measure.deadline_revisions.all(),
            "approved": approved,
            "in_work": in_work,
            **_standing(measure, approved),
            "may_consolidate": permissions.may_consolidate_status(user)
            and measure.edition.state == Edition.State.ACTIVE,
            "history": selectors.measure_history(measure),
            "results": selectors.measure_results(measure),
            "may_add_update": may_add_update,
            # One query, for those who may write: a new update needs a period the coordinator has not closed.
            "has_open_period": may_add_update
            and ReportingPeriod.objects.filter(edition_id=measure.edition_id, closed_at__isnull=True).exists(),
            # The agency's draft or returned update, if it has one: the page leads there, not to a new one.
            "open_update": next((u for u in in_work if u.may_edit and not u.period.is_closed), None),
            "may_report": permissions.may_report_on(user, measure),
            "may_revise_deadline": permissions.may_revise_deadline(user)
            and measure.edition.state != Edition.State.CLOSED,
            "may_manage_recommendations": permissions.may_manage_recommendations(user),
            "evidence_accept": ACCEPT_ATTRIBUTE,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_revise_deadline(request, pk):
    """The coordinator's office moves a measure's deadline and says why; the earlier date stays on record."""
    user = request.user
    measure = get_object_or_404(
        in_countries(Measure.objects.all(), countries_for(user))
        .select_related("edition", "area")
        .prefetch_related(selectors.revisions_prefetch()),
        pk=pk,
    )
    if not permissions.may_revise_deadline(user):
        permissions.refuse(user, visible=True)
    form = DeadlineRevisionForm(request.POST or None, initial={"new_deadline": measure.deadline})
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.measure_revise_deadline(
                measure_id=measure.pk,
                user=user,
                new_deadline=form.cleaned_data["new_deadline"],
                reason=form.cleaned_data["reason"],
            )
        except services.DeadlineError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                _(
                    "The deadline of measure %(number)s is now %(date)s. The earlier date and your reason are kept beside it."
                )
                % {"number": measure.number, "date": date_format(revision.new_deadline, "SHORT_DATE_FORMAT")},
            )
            return redirect(reverse("measure_detail", args=[measure.pk]) + "#deadline")
    return render(
        request,
        "measures/deadline_form.html",
        {
            "measure": measure,
            "form": form,
            "revisions": measure.deadline_revisions.all(),
            "plan_closed": measure.edition.state == Edition.State.CLOSED,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_consolidate(request, pk):
    """The coordinator's office sets the measure's status itself, with a note, or clears it."""
    measure = selectors.measure_for_page(request.user, pk)
    user = request.user
    if not permissions.may_consolidate_status(user):
        permissions.refuse(user, visible=True)
    if measure.edition.state != Edition.State.ACTIVE:
        messages.error(request, _("This action plan is closed: the status of its measures can no longer be changed."))
        return redirect("measure_detail", pk=measure.pk)
    back = reverse("measure_detail", args=[measure.pk]) + "#status"
    if request.method == "POST" and request.POST.get("action") == "clear":
        try:
            services.measure_clear_consolidated_status(measure_id=measure.pk, user=user)
        except services.UpdateError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The consolidated status is cleared: the responsible bodies' approved report sets it again.")
            )
        return redirect(back)
    initial = (
        {
            "status": measure.consolidated_status,
            "progress": measure.consolidated_progress,
            "note": measure.consolidated_note,
        }
        if measure.is_consolidated
        else {"status": measure.status, "progress": measure.progress}
    )
    form = ConsolidatedStatusForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_set_consolidated_status(measure_id=measure.pk, user=user, **form.cleaned_data)
        except services.UpdateError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("The consolidated status is set. The measure shows it, with your note."))
            return redirect(back)
    approved = list(
        measure.updates.filter(state=StatusUpdate.State.APPROVED).select_related("agency", "period").order_by()
    )
    return render(
        request,
        "measures/consolidate.html",
        {"measure": measure, "form": form, **_standing(measure, approved)},
        status=400 if form.errors else 200,
    )


# --- Status updates ---------------------------------------------------------------------


def _update_or_404(request, pk) -> StatusUpdate:
    update = get_object_or_404(
        in_countries(StatusUpdate.objects.all(), countries_for(request.user))
        .select_related("measure__edition", "measure__area", "agency", "period", "author", "reviewer")
        .prefetch_related(
            "evidence",
            Prefetch("measure__assignments", queryset=MeasureAgency.objects.select_related("agency")),
            selectors.thread_prefetch(),
            *selectors.results_prefetch(),
            # The update form and the review page say the deadline in force, and whether it was revised.
            selectors.revisions_prefetch("measure__"),
        ),
        pk=pk,
    )
    if not permissions.may_view_update(request.user, update):
        permissions.refuse(request.user, visible=False)
    return update


def _render_update_form(request, form, measure, update=None, conflict=None, status=200):
    if update is not None:
        _prepare_update(request.user, update)
    return render(
        request,
        "measures/update_form.html",
        {
            "form": form,
            "measure": measure,
            "update": update,
            "conflict": conflict,
            "may_comment": update is not None and permissions.may_comment_update(request.user, update),
            "history": selectors.update_history(update, show_restricted=update.may_see_restricted)
            if update is not None
            else [],
        },
        status=status,
    )


@login_required
@sensitive_post_parameters(*RESTRICTED_POST_FIELDS)
def update_create(request, pk):
    measure = selectors.measure_for_page(request.user, pk)
    user = request.user
    if not permissions.may_report_on(user, measure):
        permissions.refuse(user, visible=True)
    if not permissions.may_add_update(user, measure, measure.edition):
        messages.error(request, _("This action plan is closed: updates can no longer be added."))
        return redirect("measure_detail", pk=measure.pk)
    existing = _open_update_for(user, measure)
    if request.method == "GET" and existing is not None:
        # One update per agency and period: continue the one in work rather than start a duplicate.
        messages.info(
            request,
            _("Your agency already has an update in work on this measure for %(period)s: continue it here.")
            % {"period": existing.period.label},
        )
        return redirect("update_edit", pk=existing.pk)
    submitting = request.POST.get("action") == "submit"
    form = StatusUpdateForm(
        request.POST or None,
        request.FILES or None,
        measure=measure,
        submitting=submitting,
        initial={"status": measure.status, "progress": measure.progress, "language": current_content_language()},
    )
    if not form.open_periods:
        messages.error(
            request,
            _(
                "Every reporting period of %(plan)s is closed, so no update can be written now. The national "
                "coordinator's office opens periods for reporting."
            )
            % {"plan": measure.edition.code},
        )
        return redirect("measure_detail", pk=measure.pk)
    if request.method == "POST" and form.is_valid():
        try:
            update = services.update_create(
                measure=measure, user=user, data=form.update_data(), files=form.cleaned_data["files"], submit=submitting
            )
        except services.UpdateError as error:
            chosen_period = form.cleaned_data["period"]
            form.add_error(error.field, error.message)
            duplicate = StatusUpdate.objects.filter(
                measure=measure, agency_id=user.agency_id, period=chosen_period
            ).first()
            if duplicate is not None:
                # Never a dead end: point at the update that is already there.
                target = (
                    reverse("update_edit", args=[duplicate.pk])
                    if permissions.may_edit_update(user, duplicate)
                    else reverse("measure_detail", args=[measure.pk]) + f"#update-{duplicate.pk}"
                )
                form.existing_update_url = target
        else:
            messages.success(request, _("Update submitted for review.") if submitting else _("Draft saved."))
            return redirect(reverse("measure_detail", args=[measure.pk]) + f"#update-{update.pk}")
    return _render_update_form(request, form, measure, status=400 if form.errors else 200)


def _open_update_for(user, measure) -> StatusUpdate | None:
    """The agency's draft or returned update for the period a new update would be written for (the
    plan's latest open one), if there is one. One query."""
    latest = (
        ReportingPeriod.objects.filter(edition_id=measure.edition_id, closed_at__isnull=True)
        .order_by("-start")
        .values("pk")[:1]
    )
    return (
        StatusUpdate.objects.filter(
            measure=measure,
            agency_id=user.agency_id,
            period_id__in=latest,
            state__in=[StatusUpdate.State.DRAFT, StatusUpdate.State.RETURNED],
        )
        .select_related("period")
        .first()
    )


@login_required
@sensitive_post_parameters(*RESTRICTED_POST_FIELDS)
def update_edit(request, pk):
    update = _update_or_404(request, pk)
    user = request.user
    if not permissions.may_edit_update(user, update):
        permissions.refuse(user, visible=True)
    if update.measure.edition.state != Edition.State.ACTIVE:
        messages.error(request, _("This action plan is closed: updates can no longer be changed."))
        return redirect("measure_detail", pk=update.measure_id)
    if request.method == "GET":
        inbox.mark_read(user, update_id=update.pk)
    submitting = request.POST.get("action") == "submit"
    initial = StatusUpdateForm.initial_from(update)
    if not update.language and not update.period.is_closed:
        # Written before the language was asked: the person says it now, offered their own to start with.
        initial["language"] = current_content_language()
    form = StatusUpdateForm(
        request.POST or None,
        request.FILES or None,
        measure=update.measure,
        evidence=update.evidence.all(),
        submitting=submitting,
        initial=initial,
        # The period is closed: the update is shown as it stands, with why it cannot be changed.
        read_only=update.period.is_closed,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_save(
                update_id=update.pk,
                user=user,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.update_data(),
                files=form.cleaned_data["files"],
                submit=submitting,
            )
        except services.StaleVersion as error:
            conflict = error.current
            form.add_error(None, error.message)
        except services.UpdateError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Update submitted for review.") if submitting else _("Changes saved."))
            return redirect(reverse("measure_detail", args=[update.measure_id]) + f"#update-{update.pk}")
    return _render_update_form(
        request,
        form,
        update.measure,
        update=update,
        conflict=conflict,
        status=409 if conflict else (400 if form.errors else 200),
    )


@login_required
@require_POST
def update_withdraw(request, pk):
    update = _update_or_404(request, pk)
    if not permissions.may_withdraw_update(request.user, update):
        permissions.refuse(request.user, visible=True)
    try:
        services.update_withdraw(update_id=update.pk, user=request.user)
    except services.UpdateError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The update is back in draft. Edit it and submit it again when ready."))
    return redirect(reverse("measure_detail", args=[update.measure_id]) + f"#update-{update.pk}")


@login_required
def update_review(request, pk):
    update = _update_or_404(request, pk)
    user = request.user
    if not permissions.may_review(user):
        permissions.refuse(user, visible=True)
    if request.method == "GET":
        inbox.mark_read(user, update_id=update.pk)  # the notices about it have done their job
    returning = request.POST.get("action") == "return"
    form = ReviewForm(request.POST or None, returning=returning, initial={"version": update.version})
    if request.method == "POST":
        if not permissions.may_review_update(user, update):
            if update.author_id == user.pk:
                form.add_error(
                    None, _("You wrote this update, so someone else in the coordinator's office must review it.")
                )
            else:
                form.add_error(
                    None,
                    _("This update is %(state)s and cannot be reviewed now.")
                    % {"state": update.get_state_display().lower()},
                )
        elif form.is_valid():
            try:
                version = form.cleaned_data["version"]
                if returning:
                    services.update_return(
                        update_id=update.pk, reviewer=user, note=form.cleaned_data["note"], expected_version=version
                    )
                    messages.success(
                        request, _("Update returned to %(agency)s with your note.") % {"agency": update.agency}
                    )
                else:
                    services.update_approve(
                        update_id=update.pk, reviewer=user, note=form.cleaned_data["note"], expected_version=version
                    )
                    messages.success(request, _("Update approved. The measure now shows its status and progress."))
                return redirect("review_queue")
            except services.StaleVersion:
                messages.error(
                    request, _("The update changed while you were reading it. Read it again before you decide.")
                )
                return redirect("update_review", pk=update.pk)
            except services.UpdateError as error:
                form.add_error("note" if error.field == "note" else None, error.message)
    _prepare_update(user, update)
    return render(
        request,
        "measures/update_review.html",
        {
            "update": update,
            "form": form,
            "may_review": permissions.may_review_update(user, update),
            "may_comment": permissions.may_comment_update(user, update),
            "changes": thread.changes_since_return(
                update, list(update.events.all()), show_restricted=update.may_see_restricted
            ),
            "history": selectors.update_history(update, show_restricted=update.may_see_restricted),
        },
        status=400 if form.errors else 200,
    )


@login_required
def review_queue(request):
    user = request.user
    if not permissions.may_review(user):
        permissions.refuse(user, visible=True)
    form = BulkApproveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.updates_approve_shown(reviewer=user, shown=form.cleaned_data["updates"])
        if result.approved:
            count = len(result.approved)
            messages.success(
                request, ngettext("%(count)d update approved.", "%(count)d updates approved.", count) % {"count": count}
            )
        for problem in result.refused:
            messages.error(request, problem)
        return redirect("review_queue")
    page = Paginator(selectors.review_queue(current_country_id(request)), 50).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "has_closed": any(update.period.is_closed for update in page)}
    return render(request, "measures/review_queue.html", context, status=400 if form.errors else 200)


# --- International commitments -----------------------------------------------------------


@login_required
def recommendation_list(request):
    """The recommendations the plans answer, source by source, with the measures answering each. Every
    signed-in person may read it: it is part of the plan, like the measures."""
    return render(
        request,
        "measures/recommendation_list.html",
        {
            "sources": selectors.recommendations_by_source(current_country_id(request)),
            "may_manage": permissions.may_manage_recommendations(request.user),
        },
    )


@login_required
def recommendation_coverage(request, pk):
    """One source's recommendations with the measures answering them, those nobody is really working on
    first: what the coordinator's office copies into its answer to GRETA or the US TIP office. Every
    signed-in person may read it, like the list; restricted details only where `may_see_restricted` says.
    `?edition=<code>` counts one plan's measures only; an unknown code counts every plan and says so."""
    source = get_object_or_404(in_countries(RecommendationSource.objects.all(), countries_for(request.user)), pk=pk)
    editions = list(in_country(Edition.objects.all(), source.country_id).order_by("-start_year", "code"))
    wanted = request.GET.get("edition") or ""
    edition = next((e for e in editions if e.code == wanted), None)
    result = coverage.source_coverage(
        source,
        edition=edition,
        today=timezone.localdate(),
        show_restricted=lambda update: permissions.may_see_restricted(request.user, update),
    )
    context = {
        "coverage": result,
        "source": source,
        "editions": editions,
        "edition": edition,
        "unknown_edition": bool(wanted) and edition is None,
        "may_request_report": permissions.may_request_report(request.user, kind="coverage"),
    }
    return render(request, "measures/recommendation_coverage.html", context)


# --- Reporting periods ------------------------------------------------------------------


@login_required
def period_list(request, code):
    """A plan's reporting periods: dates, open or closed (by whom, when), and their updates by state."""
    edition = get_object_or_404(in_countries(Edition.objects.all(), countries_for(request.user)), code=code)
    return render(
        request,
        "measures/period_list.html",
        {
            "edition": edition,
            "rows": selectors.periods_of_plan(edition, today=timezone.localdate()),
            "may_manage": permissions.may_manage_periods(request.user),
            "may_start_next": permissions.may_start_next_plan(request.user)
            and plan_is_ending(edition, timezone.localdate()),
        },
    )


def _render_period(request, row, *, close_form=None, reopen_form=None, error=None, status=200):
    return render(
        request,
        "measures/period_detail.html",
        {
            "row": row,
            "period": row.period,
            "edition": row.period.edition,
            "may_manage": permissions.may_manage_periods(request.user)
            and row.period.edition.state != Edition.State.CLOSED,
            "close_form": close_form or PeriodCloseForm(),
            "reopen_form": reopen_form or PeriodReopenForm(),
            # A refusal that is not about the reason (closed meanwhile by someone else): shown at the top.
            "error": error,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def period_detail(request, pk):
    return _render_period(request, selectors.period_for_page(request.user, pk))


def _change_period(request, pk, *, form_class, service, form_name: str, done: str):
    """Close or reopen a period: one form, one service, the period's page again with the outcome."""
    if not permissions.may_manage_periods(request.user):
        permissions.refuse(request.user, visible=True)
    row = selectors.period_for_page(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(period_id=row.period.pk, user=request.user, reason=form.cleaned_data["reason"])
        except services.PeriodError as error:
            if error.field is None:
                return _render_period(
                    request, selectors.period_for_page(request.user, pk), error=error.message, status=400
                )
            form.add_error(error.field, error.message)
        else:
            messages.success(request, done % {"period": row.period.label})
            return redirect("period_detail", pk=row.period.pk)
    return _render_period(request, row, status=400, **{form_name: form})


@login_required
@require_POST
def period_close(request, pk):
    return _change_period(
        request,
        pk,
        form_class=PeriodCloseForm,
        service=services.period_close,
        form_name="close_form",
        done=_(
            "%(period)s is closed: no update for it can be written, changed or submitted any more. "
            "What was submitted can still be approved or returned."
        ),
    )


@login_required
@require_POST
def period_reopen(request, pk):
    return _change_period(
        request,
        pk,
        form_class=PeriodReopenForm,
        service=services.period_reopen,
        form_name="reopen_form",
        done=_("%(period)s is open again: its updates can be written, changed and submitted."),
    )


# --- Evidence ---------------------------------------------------------------------------


@login_required
def evidence_download(request, pk):
    evidence = get_object_or_404(
        in_countries(Evidence.objects.all(), countries_for(request.user)).select_related("update"), pk=pk
    )
    if not permissions.may_view_evidence(request.user, evidence):
        # A restricted file is as unknown to those who may not see it as a file of someone's draft.
        permissions.refuse(request.user, visible=False)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit.record(
        audit.Action.EVIDENCE_DOWNLOADED,
        request=request,
        target=evidence,
        detail={
            "update": evidence.update_id,
            "state": evidence.update.state,
            "sha256": evidence.sha256,
            "restricted": evidence.restricted,
        },
    )
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def evidence_remove(request, pk):
    """The agency takes back a file attached by mistake; back to the page it was removed from."""
    evidence = get_object_or_404(
        in_countries(Evidence.objects.all(), countries_for(request.user)).select_related("update"), pk=pk
    )
    user = request.user
    if not permissions.may_view_evidence(user, evidence):
        raise Http404
    if not permissions.may_remove_evidence(user, evidence.update):
        permissions.refuse(user, visible=True)
    try:
        services.evidence_remove(evidence_id=evidence.pk, user=user)
    except services.UpdateError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("“%(name)s” is removed and deleted. The update's record keeps a note that it was removed.")
            % {"name": evidence.original_name},
        )
    if permissions.may_edit_update(user, evidence.update):
        return redirect("update_edit", pk=evidence.update_id)
    return redirect(reverse("measure_detail", args=[evidence.update.measure_id]) + f"#update-{evidence.update_id}")


@login_required
@require_http_methods(["GET", "POST"])
def evidence_erase(request, pk):
    """The system administrator erases a file from any update, with a reason kept in its record."""
    evidence = get_object_or_404(
        in_countries(Evidence.objects.all(), countries_for(request.user)).select_related(
            "update__measure", "update__agency"
        ),
        pk=pk,
    )
    user = request.user
    if not permissions.may_erase_evidence(user):
        permissions.refuse(user, visible=permissions.may_view_evidence(user, evidence))
    error = None
    if request.method == "POST":
        try:
            services.evidence_erase(evidence_id=evidence.pk, user=user, reason=request.POST.get("reason", ""))
        except services.UpdateError as problem:
            error = problem.message
        else:
            messages.success(
                request,
                _("“%(name)s” is erased: no one can download it any more. The reason is kept in the update's record.")
                % {"name": evidence.original_name},
            )
            return redirect(
                reverse("measure_detail", args=[evidence.update.measure_id]) + f"#update-{evidence.update_id}"
            )
    return render(
        request, "measures/evidence_erase.html", {"evidence": evidence, "error": error}, status=400 if error else 200
    )


# --- Public summary ---------------------------------------------------------------------


def public_summary(request, code):
    """A published plan's progress for anyone; unpublished plans only for signed-in people of its country."""
    edition = get_object_or_404(Edition, code=code)
    if not edition.published and edition.country_id not in countries_for(request.user):
        raise Http404
    summary = next(s for s in selectors.edition_summaries(edition.country_id) if s.edition.pk == edition.pk)
    return render(
        request,
        "measures/public_summary.html",
        {"edition": edition, "summary": summary, "areas": selectors.progress_by_area([edition])[edition.pk]},
    )


@login_required
@require_POST
def update_comment(request, pk):
    """Add a comment to an update's thread; back to the page it was written on."""
    update = _update_or_404(request, pk)
    user = request.user
    if not permissions.may_comment_update(user, update):
        permissions.refuse(user, visible=True)
    form = CommentForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("files", []) + form.non_field_errors() + form.errors.get("text", []):
            messages.error(request, error)
    else:
        try:
            services.update_comment(
                update_id=update.pk,
                user=user,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
                files_restricted=form.cleaned_data["files_restricted"],
            )
        except services.UpdateError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your comment is added to the update's record; the other side is told."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("measure_detail", args=[update.measure_id])
    return redirect(back.split("#")[0] + f"#thread-{update.pk}")


# --- Notifications ----------------------------------------------------------------------


@login_required
def notification_list(request):
    """The person's notices, newest first; the unread ones marked as such until opened."""
    page = Paginator(inbox.for_person(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "measures/notifications.html", {"page": page})


@login_required
def notification_open(request, pk):
    """Opening a notice marks it read and leads to the update it tells of, as this person may see it now."""
    notification = get_object_or_404(
        Notification.objects.select_related("event__update"), pk=pk, recipient=request.user
    )
    inbox.mark_read(request.user, notification_id=notification.pk)
    return redirect(inbox.target_url(request.user, notification.event.update))


@login_required
@require_POST
def notification_read_all(request):
    count = inbox.mark_read(request.user)
    if count:
        messages.success(
            request,
            ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
            % {"count": count},
        )
    return redirect("notification_list")


# --- Countries ----------------------------------------------------------------------------


@login_required
def country_comparison(request):
    """Per country the person follows: plans, measures, the share completed, the overdue, the last report.
    For people with several countries; someone with one has nothing to compare (403)."""
    mine = countries_for(request.user)
    if len(mine) < 2:
        permissions.refuse(request.user, visible=True)
    return render(
        request,
        "measures/country_comparison.html",
        {"rows": comparison.country_comparison(mine), "current": current_country_id(request)},
    )
