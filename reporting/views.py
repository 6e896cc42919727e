from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from measures.models import Edition, RecommendationSource
from nap_tracker import audit, permissions
from nap_tracker.countries import countries_for, current_country_id, in_countries, in_country
from reporting import caching, services
from reporting.forms import ReportRequestForm, large_editions
from reporting.models import Report
from reporting.numbers import dashboard_numbers
from reporting.quality import quality_review
from reporting.rendering import chart_set
from reporting.results import results_numbers

REPORTS_PER_PAGE = 25
REFRESH_SECONDS = 4


@login_required
def dashboard(request):
    """The plan's numbers as the progress report shows them: the same module computes both, the database
    counts them, and the cache keeps them until the plan changes (reporting/caching.py). Only the current
    country's plans are offered; another country's plan named in ?edition= is not found, and the first plan
    of the country is shown instead, as for any unknown code."""
    editions = list(in_country(Edition.objects.all(), current_country_id(request)))
    if not editions:
        return render(request, "reporting/dashboard.html", {"editions": editions, "numbers": None})
    wanted = request.GET.get("edition")
    edition = next((e for e in editions if e.code == wanted), None)
    if edition is None:
        edition = next((e for e in editions if e.state == Edition.State.ACTIVE), editions[0])
    today = timezone.localdate()

    def build():
        numbers = dashboard_numbers(edition, today=today)
        return {"numbers": numbers, "results": results_numbers(numbers, detail=False), "charts": chart_set(numbers)}

    context = {
        "editions": editions,
        "edition": edition,
        "may_view_quality": permissions.may_view_quality_review(request.user),
        **caching.dashboard(edition, build, today=today),
    }
    return render(request, "reporting/dashboard.html", context)


@login_required
def quality(request, code):
    """The plan's quality review: what it covers, what it lacks against good practice, how it went. Every
    figure links to the measures behind it (reporting/quality.py). A plan of any of the person's countries
    (a link from the other country a partner follows works); the chooser offers that plan's country's plans.
    Another country's plan is not found (404). One query for the plans, as before."""
    editions = list(in_countries(Edition.objects.all(), countries_for(request.user)))
    edition = next((e for e in editions if e.code == code), None)
    if edition is None:
        raise Http404
    editions = [e for e in editions if e.country_id == edition.country_id]
    if not permissions.may_view_quality_review(request.user):
        permissions.refuse(request.user, visible=True)
    context = {
        "editions": editions,
        "edition": edition,
        "review": quality_review(edition, today=timezone.localdate()),
    }
    return render(request, "reporting/quality.html", context)


@login_required
def report_list(request):
    """The reports the person asked for in the current country, newest first; the page refreshes itself while
    one is being made. A partner with several countries sees each country's after switching; reports asked
    for in a country the person no longer has are not listed."""
    reports = in_country(Report.objects.filter(requested_by=request.user), current_country_id(request)).select_related(
        "edition", "period", "agency", "area", "source"
    )
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    pending = any(report.is_pending for report in page)
    context = {"page": page, "pending": pending, "refresh_seconds": REFRESH_SECONDS}
    return render(request, "reporting/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request):
    country_id = current_country_id(request)
    form = ReportRequestForm(request.POST or None, user=request.user, country_id=country_id, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_request(user=request.user, **data)
        except services.ReportError as error:
            form.add_error(None, str(error))
        else:
            _say_how_the_report_stands(request, report)
            return redirect("reporting:list")
    context = {
        "form": form,
        "large_editions": large_editions(country_id),
        "full_pdf_limit": settings.REPORT_FULL_PDF_MAX_MEASURES,
    }
    return render(request, "reporting/new.html", context)


def _say_how_the_report_stands(request, report: Report):
    """The message matches the report's real state: without a worker it is already made (or failed)."""
    report.refresh_from_db(fields=["state", "error"])
    if report.state == Report.State.DONE:
        messages.success(request, _("Your report is ready: download it below."))
    elif report.state == Report.State.FAILED:
        messages.error(request, _("Your report could not be prepared; the reason is shown below."))
    else:
        messages.success(request, _("Your report is being prepared. It appears below when it is ready."))


def _initial(request) -> dict:
    """What a link may choose in advance (the coverage page's "Prepare as PDF / XLSX"): a plan by its code,
    a kind, a recommendation source by its id. A value that names nothing in the current country is left out."""
    initial = {}
    country_id = current_country_id(request)
    code = request.GET.get("edition")
    if code:
        edition = in_country(Edition.objects.filter(code=code), country_id).first()
        if edition:
            initial["edition"] = edition
    kind = request.GET.get("kind")
    if kind in Report.Kind.values:
        initial["kind"] = kind
    source = request.GET.get("source") or ""
    if source.isdecimal() and len(source) < 10:
        found = in_country(RecommendationSource.objects.filter(pk=int(source)), country_id).first()
        if found:
            initial["source"] = found
    return initial


@login_required
def report_download(request, pk: int):
    # A report of a plan of a country the person does not have (any more) is not found, whoever asked for it.
    reports = in_countries(Report.objects.select_related("edition", "agency", "period"), countries_for(request.user))
    report = get_object_or_404(reports, pk=pk)
    if not permissions.may_view_report(request.user, report):
        permissions.refuse(request.user, visible=False)
    if report.state != Report.State.DONE or not report.file:
        raise Http404
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    filename = report.file.name.rsplit("/", 1)[-1]
    audit.record(
        audit.Action.REPORT_DOWNLOADED,
        request=request,
        target=report,
        detail={"file": filename, "kind": report.kind, "requested_by": report.requested_by_id},
    )
    return FileResponse(handle, as_attachment=True, filename=filename)
