"""The API's query parameters. Measures take the measures list's own filter (measures/filters.py), so the same
parameters pick the same measures on /measures/ and /api/v1/measures/; the API adds `updated_since` and is
strict where the page is lenient: a value it cannot read is answered 400 with the reason, never ignored."""

import copy
from datetime import UTC, datetime, time

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from measures.filters import YEAR_RANGE, MeasureFilter
from measures.models import (
    Area,
    BudgetLine,
    DeadlineRevision,
    Edition,
    Indicator,
    Measure,
    MeasureAgency,
    Pillar,
    ReportingPeriod,
    StatusUpdate,
)
from nap_tracker.models import Agency

UPDATED_SINCE_HELP = _(
    "Only what changed at or after this moment: an ISO 8601 date (2025-01-31, from the start of that day in "
    "the site's time zone) or date and time (2025-01-31T08:00:00Z). For incremental sync, send the time your "
    "previous sync started."
)


class StrictBooleanField(forms.NullBooleanField):
    """true or false (1 or 0); anything else is an error, where the page's menu would quietly ignore it."""

    TRUE, FALSE = ("true", "1"), ("false", "0")

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Write true or false."), code="invalid")

    def validate(self, value):
        pass


class MomentField(forms.Field):
    """An ISO 8601 date or date and time, read as an aware moment. A date alone is the start of that day in the
    site's time zone; a time without an offset is in the site's time zone too."""

    default_error_messages = {
        "invalid": _("Write a date (2025-01-31) or a date and time (2025-01-31T08:00:00Z) in ISO 8601 form."),
    }

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip()
        try:
            moment = parse_datetime(text)
            if moment is None:
                day = parse_date(text)
                moment = datetime.combine(day, time.min) if day else None
            if moment is None:
                raise ValueError(text)
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, timezone.get_default_timezone())
            # Out of range once in UTC (year 1 with a positive offset, year 9999 with a negative one).
            moment.astimezone(UTC)
        except (ValueError, OverflowError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return moment


class MomentFilter(django_filters.Filter):
    field_class = MomentField


def _strict(filterset_class):
    """Booleans of the filter as strict fields, in the copies this class owns (the page's filter is left as is)."""
    for name, item in list(filterset_class.base_filters.items()):
        if isinstance(item, django_filters.BooleanFilter):
            item = copy.deepcopy(item)
            item.field_class = StrictBooleanField
            # The raw text, which the field judges: the page's yes/no menu would turn "perhaps" into "not given".
            item.extra["widget"] = forms.TextInput
            filterset_class.base_filters[name] = item
    return filterset_class


INTEGER, BOOLEAN, STRING = {"type": "integer"}, {"type": "boolean"}, {"type": "string"}


def described(item, help_text, schema=None):
    """The filter with its meaning for the API's description, and its type where django-filter cannot tell it
    (a filter by method, a year). Works on a copy: the page's filter keeps its own words."""
    item = copy.deepcopy(item)
    item.extra["help_text"] = help_text
    if schema is not None:
        # drf-spectacular reads the description from an explicit schema, not from help_text.
        extend_schema_field({**schema, "description": str(help_text)})(item)
    return item


# What each parameter of the measures list means, in the API's description (the page's labels are the words of
# its form), and its type where it cannot be told from the filter.
MEASURE_PARAMETERS = {
    "q": (
        _("A measure's number (its beginning: 4.1 finds 4.1.1, 4.1.2 …) or words of its title in any language."),
        None,
    ),
    "edition": (_("The plan's `id` (see /api/v1/editions/)."), INTEGER),
    "area": (_("The area's `id` (see /api/v1/areas/)."), INTEGER),
    "pillar": (_("The pillar of the measure's area."), None),
    "agency": (_("An agency's `id`: the measures it takes part in (see `part`)."), INTEGER),
    "part": (
        _(
            "With `agency`: only where it plays this part; alone: measures with any agency in this part. "
            "`responsible` means executing or recommended."
        ),
        None,
    ),
    "status": (_("The status in force."), None),
    "overdue": (
        _(
            "true: past the deadline in force, neither completed nor ongoing, in an active plan; false: all others. "
            "In a closed plan no measure is overdue (see `completed=unfinished`)."
        ),
        BOOLEAN,
    ),
    "revised": (_("true: the deadline was revised at least once; false: never revised."), BOOLEAN),
    "lacks": (_("Measures lacking this, as the plan's quality review counts them."), None),
    "completed": (
        _(
            "Completed measures: by the deadline, after it, or with no dated deadline; `unfinished`: in a closed "
            "plan, past the deadline in force and not completed by the plan's end."
        ),
        None,
    ),
    "returned": (
        _(
            "Measures that had an update returned for changes. Only for the coordinator's office and international "
            "partners; ignored for others."
        ),
        None,
    ),
    "deadline_year": (
        _("The year of the deadline in force."),
        {"type": "integer", "minimum": YEAR_RANGE[0], "maximum": YEAR_RANGE[1]},
    ),
    "wording": (_("Official text, or illustrative example wording."), None),
    "work": (
        _(
            "The work of the person's own agency, as on a focal point's or NGO's home page. Only for focal points "
            "and NGO focal points; ignored for others."
        ),
        None,
    ),
}


class ApiMeasureFilter(MeasureFilter):
    """The measures list's filter, with `updated_since`. The list's `sort` is left out: the API pages in one
    fixed order, which a cursor needs."""

    updated_since = described(MomentFilter(method="filter_updated_since"), UPDATED_SINCE_HELP, STRING)

    class Meta(MeasureFilter.Meta):
        model = Measure
        fields = []

    def filter_updated_since(self, queryset, name, moment):
        """Changed at or after `moment`: the measure itself (its texts, deadline, status, recommendations: its
        history), its agencies, indicators or budget lines (added, changed or removed: their history), or a
        deadline revision."""
        if moment is None:
            return queryset
        changed = Q(Exists(Measure.history.filter(id=OuterRef("pk"), history_date__gte=moment)))
        for model in (MeasureAgency, Indicator, BudgetLine):
            changed |= Q(Exists(model.history.filter(measure_id=OuterRef("pk"), history_date__gte=moment)))
        changed |= Q(Exists(DeadlineRevision.objects.filter(measure_id=OuterRef("pk"), revised_at__gte=moment)))
        return queryset.filter(changed)


ApiMeasureFilter.base_filters.pop("sort")
for _name, (_help, _schema) in MEASURE_PARAMETERS.items():
    ApiMeasureFilter.base_filters[_name] = described(ApiMeasureFilter.base_filters[_name], _help, _schema)
_strict(ApiMeasureFilter)


class UpdateFilter(django_filters.FilterSet):
    """Approved updates by plan, measure, agency or period, and those approved or changed since a moment."""

    edition = django_filters.ModelChoiceFilter(
        field_name="measure__edition",
        queryset=Edition.objects.all(),
        help_text=_("The plan's `id` (see /api/v1/editions/)."),
    )
    measure = django_filters.ModelChoiceFilter(
        queryset=Measure.objects.all(), help_text=_("The measure's `id` (see /api/v1/measures/).")
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), help_text=_("The `id` of the agency that wrote the update.")
    )
    period = django_filters.ModelChoiceFilter(
        queryset=ReportingPeriod.objects.all(), help_text=_("The reporting period's `id` (see /api/v1/periods/).")
    )
    updated_since = described(MomentFilter(field_name="updated_at", lookup_expr="gte"), UPDATED_SINCE_HELP, STRING)

    class Meta:
        model = StatusUpdate
        fields = []


class AreaFilter(django_filters.FilterSet):
    edition = django_filters.ModelChoiceFilter(
        queryset=Edition.objects.all(), help_text=_("The plan's `id` (see /api/v1/editions/).")
    )
    pillar = django_filters.ChoiceFilter(choices=Pillar.choices, help_text=_("The area's pillar."))

    class Meta:
        model = Area
        fields = []


class PeriodFilter(django_filters.FilterSet):
    edition = django_filters.ModelChoiceFilter(
        queryset=Edition.objects.all(), help_text=_("The plan's `id` (see /api/v1/editions/).")
    )

    class Meta:
        model = ReportingPeriod
        fields = []


class AgencyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Agency.Kind.choices, help_text=_("The kind of body."))
    active = django_filters.BooleanFilter(help_text=_("true: bodies that still report; false: made inactive."))

    class Meta:
        model = Agency
        fields = []


for _filterset in (UpdateFilter, AreaFilter, PeriodFilter, AgencyFilter):
    _strict(_filterset)
