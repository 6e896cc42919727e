from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from measures.models import Edition
from measures.next_plan import candidates
from measures.next_plan.create import NextPlanError, edition_start_next
from measures.next_plan.forms import NextPlanForm
from nap_tracker import permissions
from nap_tracker.countries import countries_for, in_countries


@login_required
@require_http_methods(["GET", "POST"])
def next_plan(request, code):
    """The coordinator's office drafts the next plan from a closing or closed one: code, title, years and
    the measures to carry over; on confirmation, the draft and its measures in one transaction."""
    user = request.user
    source = get_object_or_404(in_countries(Edition.objects.all(), countries_for(request.user)), code=code)
    if not permissions.may_start_next_plan(user):
        # Every signed-in person may read the plan, so this is a "no", not a "not found".
        permissions.refuse(user, visible=True)
    today = timezone.localdate()
    if not candidates.plan_is_ending(source, today):
        messages.error(
            request,
            _(
                "%(plan)s runs until %(year)s: its successor can be drafted from the plan's last year on, "
                "or once it is closed."
            )
            % {"plan": source.code, "year": source.end_year},
        )
        return redirect("period_list", code=source.code)
    rows = candidates.carry_rows(source)
    start, end = candidates.next_years(source)
    form = NextPlanForm(
        request.POST or None,
        measures=rows,
        initial={
            "code": candidates.suggested_code(source),
            "start_year": start,
            "end_year": end,
            "measures": [row.pk for row in rows if row.carry_by_default],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = edition_start_next(
                source_id=source.pk,
                user=user,
                code=data["code"],
                title_en=data["title_en"],
                title_az=data["title_az"],
                title_ru=data["title_ru"],
                start_year=data["start_year"],
                end_year=data["end_year"],
                measure_ids=data["measures"],
                today=today,
            )
        except NextPlanError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "%(plan)s is drafted with %(count)s measure carried over from %(old)s. It stays a draft until "
                    "it is activated: edit its measures, add its reporting periods, then activate it.",
                    "%(plan)s is drafted with %(count)s measures carried over from %(old)s. It stays a draft until "
                    "it is activated: edit its measures, add its reporting periods, then activate it.",
                    result.measures,
                )
                % {"plan": result.edition.code, "count": result.measures, "old": source.code},
            )
            return redirect(reverse("measure_list") + f"?edition={result.edition.pk}")
    chosen = form.chosen()
    for row in rows:
        row.chosen = row.pk in chosen
    return render(
        request,
        "measures/next_plan.html",
        {
            "source": source,
            "form": form,
            "rows": rows,
            "completed": sum(1 for row in rows if row.status == "completed"),
        },
        status=400 if form.errors else 200,
    )
