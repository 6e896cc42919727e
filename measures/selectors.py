"""Reads that cross relations, each with a fixed number of queries whatever the data size."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from measures.models import Edition, Measure, Status, overdue_condition


@dataclass
class EditionSummary:
    edition: Edition
    total: int = 0
    overdue: int = 0
    illustrative: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def status_rows(self):
        """(status value, label, count, percent) in the vocabulary's order, zeros included."""
        rows = []
        for value, label in Status.choices:
            count = self.by_status.get(value, 0)
            share = round(100 * count / self.total) if self.total else 0
            rows.append((value, label, count, share))
        return rows


def edition_summaries(*, today: date | None = None) -> list[EditionSummary]:
    """Every plan with its measures counted by status. Two queries: the plans, then one aggregate."""
    summaries = {edition.pk: EditionSummary(edition=edition) for edition in Edition.objects.all()}
    rows = (
        Measure.objects.values("edition_id", "status")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=overdue_condition(today)),
            illustrative=Count("id", filter=Q(is_illustrative=True)),
        )
        .order_by()
    )
    for row in rows:
        summary = summaries[row["edition_id"]]
        summary.by_status[row["status"]] = row["n"]
        summary.total += row["n"]
        summary.overdue += row["overdue"]
        summary.illustrative += row["illustrative"]
    return list(summaries.values())
