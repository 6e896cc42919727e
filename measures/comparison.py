"""The comparison page of a person who follows several countries' plans: per country, its plans, its
measures, the share completed, the overdue and when a body last reported.

Four queries whatever the number of countries, plans and measures: the countries with their plans
counted, the measures counted by country, the latest report by country — each an aggregate in the
database — and nothing per row."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from measures.models import Edition, Measure, Status, StatusUpdate, overdue_condition
from nap_tracker.countries import in_countries
from nap_tracker.models import Country


@dataclass
class CountryRow:
    country: Country
    plans: int = 0
    measures: int = 0
    completed: int = 0
    overdue: int = 0
    last_reported: datetime | None = None

    @property
    def share_completed(self) -> int:
        """Completed measures as a whole percentage of all the country's measures."""
        return round(100 * self.completed / self.measures) if self.measures else 0


def country_comparison(countries, *, today: date | None = None) -> list[CountryRow]:
    """One row per country of `countries` (ids), in the order of their names. Overdue counts only the
    measures of running plans: in a closed plan a measure is "not completed by the plan's end", not overdue."""
    today = today or timezone.localdate()
    plans = (
        Edition.objects.filter(country=OuterRef("pk")).order_by().values("country").annotate(n=Count("pk")).values("n")
    )
    rows = {
        country.pk: CountryRow(country, plans=country.plan_count)
        for country in in_countries(Country.objects.all(), countries).annotate(
            plan_count=Coalesce(Subquery(plans, output_field=IntegerField()), 0)
        )
    }
    counted = (
        in_countries(Measure.objects.all(), rows)
        .values("edition__country")
        .annotate(
            total=Count("pk"),
            completed=Count("pk", filter=Q(status=Status.COMPLETED)),
            overdue=Count("pk", filter=overdue_condition(today)),
        )
        .order_by()
    )
    for entry in counted:
        row = rows[entry["edition__country"]]
        row.measures, row.completed, row.overdue = entry["total"], entry["completed"], entry["overdue"]
    # "Reported": an update sent to the coordinator's office (submitted, returned or approved), not a draft.
    latest = (
        in_countries(StatusUpdate.objects.all(), rows)
        .exclude(state=StatusUpdate.State.DRAFT)
        .values("measure__edition__country")
        .annotate(last=Max("submitted_at"))
        .order_by()
    )
    for entry in latest:
        rows[entry["measure__edition__country"]].last_reported = entry["last"]
    return list(rows.values())
