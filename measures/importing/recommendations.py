"""Matching recommendations: the references a measure's cell names, such as “GRETA(2018)17 §45; TIP 2024 P3”."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from measures.importing.headers import normalize
from measures.models import Recommendation

# "§45", "para. 45", "paragraph 45", "No. 3", "#3" all name recommendation 45 / 3 of their source.
NUMBER_PREFIX = re.compile(r"^(§+|paragraph|para\.?|p\.|no\.?|nº|№|#)\s*", re.IGNORECASE)


def number_key(text: str) -> str:
    """The part of a number that identifies it: '§ 45' and 'para. 45' are both '45'; 'P3' stays 'p3'."""
    return re.sub(r"\s+", "", NUMBER_PREFIX.sub("", text.strip())).lower()


def reference_key(text: str) -> str:
    """A source's reference without case and spacing: 'GRETA (2018) 17' is 'greta(2018)17'."""
    return re.sub(r"\s+", "", normalize(text))


class RecommendationIndex:
    """Every recommendation by its source's reference and its number. One query."""

    def __init__(self):
        self.by_source: dict[str, dict[str, int]] = {}
        self.citations: dict[int, str] = {}
        for recommendation in Recommendation.objects.select_related("source"):
            source = reference_key(recommendation.source.reference)
            self.by_source.setdefault(source, {})[number_key(recommendation.number)] = recommendation.pk
            self.citations[recommendation.pk] = recommendation.citation

    def find(self, text: str) -> tuple[int | None, str | None]:
        """(id, None) for a known reference, (None, why not) otherwise."""
        compact = reference_key(text)
        # The longest source reference the text starts with: "TIP 2024 P3" → source "TIP 2024", number "P3".
        sources = sorted((key for key in self.by_source if compact.startswith(key)), key=len, reverse=True)
        if not sources:
            return None, _(
                "unknown recommendation “%(text)s” — start with its source's reference, e.g. GRETA(2018)17 §45, "
                "as listed under Recommendation sources."
            ) % {"text": text}
        source = sources[0]
        number = number_key(compact[len(source) :])
        found = self.by_source[source].get(number)
        if found is None:
            return None, _(
                "“%(text)s”: the source has no recommendation numbered “%(number)s” — add it under "
                "Recommendations first, or correct the number."
            ) % {"text": text, "number": number or "—"}
        return found, None


def parse_recommendations(text: str, index: RecommendationIndex) -> tuple[list[int], list[str]]:
    """'GRETA(2018)17 §45; TIP 2024 P3' (or one per line) → ([id, …], [error messages])."""
    found: list[int] = []
    errors: list[str] = []
    for piece in re.split(r"[;\n]+", text):
        piece = piece.strip()
        if not piece:
            continue
        pk, problem = index.find(piece)
        if problem:
            errors.append(problem)
        elif pk not in found:
            found.append(pk)
    return found, errors


def recommendations_cell(recommendations) -> str:
    """The cell an export writes: one reference per line, in the order the sources number them."""
    return "\n".join(r.citation for r in sorted(recommendations, key=lambda r: (r.source.reference, r.sort_key)))
