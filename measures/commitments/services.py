"""Writing the recommendations and the links measures keep to them. Each function is one transaction and
records who did it in the history (simple_history)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from measures.models import Measure, Recommendation, RecommendationSource

# The history row a change of a measure's recommendations leaves carries this reason: the record of the
# measure's fields is unchanged, the recommendations kept with it are not.
RECOMMENDATIONS_REASON = "recommendations"


class RecommendationInUse(Exception):
    """The recommendation is answered by measures: deleting it would silently take it off them."""

    def __init__(self, measures: list[Measure]):
        super().__init__(", ".join(f"{m.edition.code} {m.number}" for m in measures))
        self.measures = measures


class UnknownRecommendations(Exception):
    """Ids sent that name no recommendation (deleted meanwhile, or made up)."""


@dataclass
class LinksChange:
    added: list[Recommendation] = field(default_factory=list)
    removed: list[Recommendation] = field(default_factory=list)

    def __bool__(self):
        return bool(self.added or self.removed)


@transaction.atomic
def recommendation_source_save(*, source: RecommendationSource, user) -> RecommendationSource:
    source._history_user = user
    source.save()
    return source


@transaction.atomic
def recommendation_save(*, recommendation: Recommendation, user) -> Recommendation:
    recommendation._history_user = user
    recommendation.save()
    return recommendation


@transaction.atomic
def recommendation_delete(*, recommendation_id: int, user) -> Recommendation | None:
    """Delete a recommendation no measure answers. One answered is refused (`RecommendationInUse`, naming the
    measures): the link would vanish from their history without a trace of who removed it. None when someone
    else deleted it first."""
    recommendation = Recommendation.objects.select_for_update().filter(pk=recommendation_id).first()
    if recommendation is None:
        return None
    measures = list(
        Measure.objects.filter(recommendations=recommendation).select_related("edition").order_by("edition", "sort_key")
    )
    if measures:
        raise RecommendationInUse(measures)
    recommendation._history_user = user
    recommendation.delete()
    return recommendation


@transaction.atomic
def measure_set_recommendations(*, measure_id: int, recommendation_ids: set[int], user) -> LinksChange:
    """Make the measure answer exactly these recommendations. Kept in the measure's history as one change
    (who, when, and the recommendations it answered after it); nothing is written when nothing changes."""
    measure = Measure.objects.select_for_update().get(pk=measure_id)
    chosen = Recommendation.objects.select_related("source").in_bulk(recommendation_ids)
    if set(chosen) != set(recommendation_ids):
        raise UnknownRecommendations(sorted(set(recommendation_ids) - set(chosen)))
    current = {r.pk: r for r in measure.recommendations.select_related("source")}
    change = LinksChange(
        added=[chosen[pk] for pk in sorted(set(chosen) - set(current))],
        removed=[current[pk] for pk in sorted(set(current) - set(chosen))],
    )
    if not change:
        return change
    measure_links_replace(measure=measure, recommendation_ids=set(chosen), user=user)
    return change


def measure_links_replace(*, measure: Measure, recommendation_ids, user) -> None:
    """Link the measure to exactly these recommendations, leaving one record in its history that keeps them
    (not one per link added or removed). The plan import and the measure's page both write links this way."""
    measure.skip_history_when_saving = True
    try:
        measure.recommendations.set(recommendation_ids)
    finally:
        del measure.skip_history_when_saving
    if user is not None:
        measure._history_user = user
    measure._change_reason = RECOMMENDATIONS_REASON
    measure.save()
