"""The coordinator's office's pages for the recommendations: sources, recommendations, the import from a
spreadsheet, and the recommendations a measure answers. Everyone signed in reads them on /recommendations/;
these pages are for those `permissions.may_manage_recommendations` lets in (others get 403: they may see
the recommendations, not change them)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from measures import import_uploads
from measures.commitments import services
from measures.commitments.forms import MeasureRecommendationsForm, RecommendationForm, RecommendationSourceForm
from measures.importing import (
    ImportInvalid,
    ImportUploadForm,
    recommendations_import_apply,
    recommendations_import_summary,
    recommendations_preview,
)
from measures.importing.recommendation_list import UPLOAD_SCOPE
from measures.importing.upload import max_size_mb
from measures.models import Measure, Recommendation, RecommendationSource
from nap_tracker import permissions
from nap_tracker.countries import countries_for, current_country_id, in_countries, in_country


def _allowed(request):
    if not permissions.may_manage_recommendations(request.user):
        permissions.refuse(request.user, visible=True)


def _posted(request):
    """The form's data on a POST, even an empty one (which then says what is missing), None otherwise."""
    return request.POST if request.method == "POST" else None


def _sources(request):
    """The recommendation sources of the person's countries: another country's are as unknown as missing ones."""
    return in_countries(RecommendationSource.objects.all(), countries_for(request.user))


def _list_url(anchor: str = "") -> str:
    return reverse("recommendation_list") + (f"#{anchor}" if anchor else "")


# --- Sources ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def source_edit(request, pk=None):
    _allowed(request)
    # A new source is made to the country the person is working in.
    source = (
        get_object_or_404(_sources(request), pk=pk)
        if pk
        else RecommendationSource(country_id=current_country_id(request))
    )
    form = RecommendationSourceForm(_posted(request), instance=source)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.recommendation_source_save(source=form.save(commit=False), user=request.user)
        except IntegrityError:  # someone else kept the same reference a moment ago
            form.add_error("reference", _("This source was just added by someone else. Edit it instead."))
        else:
            message = _("The source %(reference)s is saved.") if pk else _("The source %(reference)s is added.")
            messages.success(request, message % {"reference": source.reference})
            return redirect(_list_url(f"source-{source.pk}"))
    return render(
        request,
        "measures/commitments/source_form.html",
        {"form": form, "source": source if pk else None},
        status=400 if form.errors else 200,
    )


# --- Recommendations ------------------------------------------------------------------------


def _is_id(value) -> bool:
    """Plain ASCII digits of a size an id can have: "²" is a digit to `str.isdigit` but no number to `int`."""
    value = str(value)
    return value.isascii() and value.isdigit() and len(value) < 10


def _source_from_query(request) -> int | None:
    value = request.GET.get("source", "")
    return int(value) if _is_id(value) else None


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request, pk=None):
    _allowed(request)
    recommendation = (
        get_object_or_404(
            in_countries(Recommendation.objects.all(), countries_for(request.user)).select_related("source"), pk=pk
        )
        if pk
        else Recommendation()
    )
    initial = {"source": _source_from_query(request)} if not pk else None
    form = RecommendationForm(_posted(request), instance=recommendation, initial=initial)
    # Sources of the recommendation's country, or for a new one of the country the person is working in.
    country = recommendation.source.country_id if pk else current_country_id(request)
    form.fields["source"].queryset = in_country(form.fields["source"].queryset, country)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.recommendation_save(recommendation=form.save(commit=False), user=request.user)
        except IntegrityError:  # someone else kept the same number a moment ago
            form.add_error("number", _("This recommendation was just added by someone else. Edit it instead."))
        else:
            message = _("Recommendation %(citation)s is saved.") if pk else _("Recommendation %(citation)s is added.")
            messages.success(request, message % {"citation": recommendation.citation})
            return redirect(_list_url(f"recommendation-{recommendation.pk}"))
    return render(
        request,
        "measures/commitments/recommendation_form.html",
        {
            "form": form,
            "recommendation": recommendation if pk else None,
            "no_sources": not form.fields["source"].queryset.exists(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_delete(request, pk):
    """Asks first; refuses while a measure answers the recommendation, and names those measures."""
    _allowed(request)
    recommendation = get_object_or_404(
        in_countries(Recommendation.objects.all(), countries_for(request.user)).select_related("source"), pk=pk
    )
    if request.method == "POST":
        try:
            services.recommendation_delete(recommendation_id=recommendation.pk, user=request.user)
        except services.RecommendationInUse:
            messages.error(
                request,
                _("Recommendation %(citation)s was not deleted: measures answer it. Take it off them first.")
                % {"citation": recommendation.citation},
            )
            return redirect("recommendation_delete", pk=recommendation.pk)
        messages.success(request, _("Recommendation %(citation)s is deleted.") % {"citation": recommendation.citation})
        return redirect(_list_url(f"source-{recommendation.source_id}"))
    measures = list(
        Measure.objects.filter(recommendations=recommendation).select_related("edition").order_by("edition", "sort_key")
    )
    return render(
        request,
        "measures/commitments/recommendation_delete.html",
        {"recommendation": recommendation, "measures": measures},
    )


# --- Import from a spreadsheet: upload → preview → confirm --------------------------------------


def _upload_form(data=None, files=None):
    return ImportUploadForm(
        data,
        files,
        help_text=_("An Excel workbook (.xlsx) or a CSV file, one recommendation a row. At most %(size)s MB.")
        % {"size": max_size_mb()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_import(request):
    _allowed(request)
    form = _upload_form(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token = import_uploads.upload_keep(
            session=request.session,
            edition_id=UPLOAD_SCOPE,
            filename=form.cleaned_data["file"].name,
            content=form.content,
        )
        return redirect("recommendation_import_preview", token=token)
    return render(request, "measures/commitments/import.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_import_preview(request, token):
    """What the file would do, row by row; confirming imports all of it or — if anything is wrong — nothing."""
    _allowed(request)
    stored = import_uploads.upload_get(session=request.session, token=token, edition_id=UPLOAD_SCOPE)
    if stored is None:
        messages.warning(request, _("That upload is no longer available. Please upload the file again."))
        return redirect("recommendation_import")
    if request.method == "POST":
        try:
            result = recommendations_import_apply(
                filename=stored.filename,
                content=stored.content,
                user=request.user,
                countries=[current_country_id(request)],
            )
        except ImportInvalid as invalid:
            preview = invalid.preview
        else:
            import_uploads.upload_discard(session=request.session, token=token)
            messages.success(request, recommendations_import_summary(result))
            return redirect("recommendation_list")
    else:
        preview = recommendations_preview(
            filename=stored.filename, content=stored.content, countries=[current_country_id(request)]
        )
    return render(request, "measures/commitments/import.html", {"form": _upload_form(), "preview": preview})


# --- The recommendations a measure answers ---------------------------------------------------


def _sources_with_recommendations(country):
    """Every source of the country with its recommendations in the source's order: two queries."""
    return list(
        in_country(RecommendationSource.objects.all(), country)
        .order_by("kind", "-year", "reference")
        .prefetch_related(Prefetch("recommendations", queryset=Recommendation.objects.order_by("sort_key")))
    )


def _chosen_ids(values) -> set[int]:
    return {int(value) for value in values if _is_id(value)}


@login_required
@require_http_methods(["GET", "POST"])
def measure_recommendations(request, pk):
    _allowed(request)
    measure = get_object_or_404(
        in_countries(Measure.objects.all(), countries_for(request.user)).select_related("edition", "area"), pk=pk
    )
    form = MeasureRecommendationsForm(_posted(request))
    # Only the recommendations made to the measure's country can be chosen.
    country = measure.edition.country_id
    form.fields["recommendations"].queryset = in_country(form.fields["recommendations"].queryset, country)
    if request.method == "POST":
        if form.is_valid():
            ids = {r.pk for r in form.cleaned_data["recommendations"]}
            try:
                change = services.measure_set_recommendations(
                    measure_id=measure.pk, recommendation_ids=ids, user=request.user
                )
            except services.UnknownRecommendations:
                form.add_error("recommendations", form.fields["recommendations"].error_messages["invalid_choice"])
            else:
                if change:
                    messages.success(
                        request,
                        _(
                            "Measure %(number)s now answers %(count)s recommendations: %(added)s added, "
                            "%(removed)s removed. The change is kept in the measure's history."
                        )
                        % {
                            "number": measure.number,
                            "count": len(ids),
                            "added": len(change.added),
                            "removed": len(change.removed),
                        },
                    )
                else:
                    messages.info(request, _("Nothing changed: the measure answers the same recommendations."))
                return redirect(reverse("measure_detail", args=[measure.pk]) + "#recommendations")
        chosen = _chosen_ids(request.POST.getlist("recommendations"))
    else:
        chosen = set(measure.recommendations.values_list("pk", flat=True))
    return render(
        request,
        "measures/commitments/measure_recommendations.html",
        {"measure": measure, "form": form, "sources": _sources_with_recommendations(country), "chosen": chosen},
        status=400 if form.errors else 200,
    )
