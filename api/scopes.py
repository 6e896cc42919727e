"""What a token may read. A token carries one or more scopes; a person signed in in the browser has them all.

The API is read-only, so a scope names a kind of data, not an action.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    PLANS = "plans", _("Plans: editions, areas, reporting periods and summary numbers")
    MEASURES = "measures", _("Measures: texts, responsible bodies, status, deadlines, indicators, budget")
    UPDATES = "updates", _("Approved updates and their indicator values")
    AGENCIES = "agencies", _("Agencies named in the plans")
