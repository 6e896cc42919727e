"""Matching agencies: the bodies a cell names, by code or by name in any language, with the lead marked."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict

from django.utils.translation import gettext as _

from measures.importing.headers import normalize
from nap_tracker.countries import in_country
from nap_tracker.models import Agency


class AgencyIndex:
    """Agencies of one country (the plan's) by code and by name in every language, normalised. One query.

    A body of another country is not found, as if it did not exist: a plan names its own country's bodies
    (and the international organisations working there)."""

    def __init__(self, country):
        self.by_key: dict[str, set[int]] = defaultdict(set)
        self.display: dict[str, str] = {}
        self.agencies: dict[int, Agency] = {}
        for agency in in_country(Agency.objects.filter(active=True), country):
            self.agencies[agency.pk] = agency
            for text in (agency.code, agency.name_en, agency.name_az, agency.name_ru):
                if text and text.strip():
                    key = normalize(text)
                    self.by_key[key].add(agency.pk)
                    self.display.setdefault(key, text.strip())

    def find(self, text: str) -> set[int]:
        return self.by_key.get(normalize(text), set())

    def suggestion(self, text: str) -> str | None:
        close = difflib.get_close_matches(normalize(text), list(self.by_key), n=1, cutoff=0.75)
        return self.display[close[0]] if close else None

    def label(self, agency_id: int) -> str:
        agency = self.agencies[agency_id]
        return f"{agency.name_en or agency.name_az or agency.name_ru} ({agency.code})"


LEAD_MARK = re.compile(r"\s*(\*|\((lead|aparıcı|головной)\))\s*$", re.IGNORECASE)
BULLET = re.compile(r"^\s*([-•·–]|\d+[.)])\s+")


def parse_agencies(text: str, index: AgencyIndex) -> tuple[list[tuple[int, bool]], list[str]]:
    """'Cabinet of Ministers*; Ministry of Justice' → ([(id, lead), …], [error messages])."""
    found: list[tuple[int, bool]] = []
    errors: list[str] = []
    for piece in re.split(r"[;\n]+", text):
        piece = BULLET.sub("", piece).strip()
        if not piece:
            continue
        # A name may hold a comma ("Main Department …, Ministry of Internal Affairs"), and a cell
        # may list bodies with commas: take the longest run of comma-separated words that names one.
        tokens = piece.split(",")
        start = 0
        while start < len(tokens):
            for end in range(len(tokens), start, -1):
                candidate = ",".join(tokens[start:end]).strip()
                is_lead = bool(LEAD_MARK.search(candidate))
                matches = index.find(LEAD_MARK.sub("", candidate))
                if matches:
                    break
            else:
                end = start + 1
                candidate = tokens[start].strip()
                is_lead = False
                matches = set()
            name = LEAD_MARK.sub("", candidate).strip()
            if not name:
                pass
            elif len(matches) == 1:
                found.append((next(iter(matches)), is_lead))
            elif len(matches) > 1:
                names = ", ".join(sorted(index.label(pk) for pk in matches))
                errors.append(
                    _("“%(name)s” could be any of %(names)s — write the agency's code instead.")
                    % {"name": name, "names": names}
                )
            else:
                suggestion = index.suggestion(name)
                if suggestion:
                    errors.append(
                        _("unknown agency “%(name)s” — did you mean “%(suggestion)s”?")
                        % {"name": name, "suggestion": suggestion}
                    )
                else:
                    errors.append(
                        _(
                            "unknown agency “%(name)s” — write its code or its name as under Agencies, or add the "
                            "agency there first."
                        )
                        % {"name": name}
                    )
            start = end
    return found, errors
