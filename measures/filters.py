import logging
from functools import partial

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.forms.utils import flatatt
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from measures.criteria import COMPLETION, CRITERIA, returned_condition
from measures.models import (
    Area,
    Edition,
    Measure,
    MeasureAgency,
    Pillar,
    Status,
    overdue_condition,
    revised_condition,
    unfinished_condition,
)
from measures.selectors import work_measures
from nap_tracker.countries import current_country_id, in_country
from nap_tracker.models import Agency, Country
from nap_tracker.permissions import REPORTING_ROLES, may_view_quality_review

logger = logging.getLogger(__name__)

YEAR_RANGE = (1900, 2200)
YEAR_MESSAGE = _("Enter a year between 1900 and 2200.")


# The choices of the plan, area and agency menus, kept in the cache per language: every visit to the list
# rendered them from three queries (and ~150 model instances) though they change a few times a year.
# Saving or deleting a plan, an area or an agency drops them (`_choices_changed`); the timeout bounds how
# long a change made without signals (a bulk update in a shell) or a per-process cache can lag.
CHOICES_TIMEOUT_SECONDS = 5 * 60
CHOICE_FIELDS = ("edition", "area", "agency")


def _choices_key(country_id: int | None, language: str) -> str:
    return f"measures:filter-choices:{country_id}:{language}"


def menu_choices(country_id: int | None) -> dict[str, list[tuple[int, str]]]:
    """(pk, label) of every plan, area and active agency of the country, as the filter's menus list them.
    Three queries when the cache has them not, none when it has. Kept per country: a menu never offers
    another country's plans or bodies."""
    key = _choices_key(country_id, translation.get_language())
    try:
        found = cache.get(key)
    except Exception:
        # With the cache away (Redis down) the menus are read each time: the list must still open.
        logger.warning("The measures list's menus cannot be read from the cache", exc_info=True)
        return _read_menu_choices(country_id)
    if found is None:
        found = _read_menu_choices(country_id)
        try:
            cache.set(key, found, CHOICES_TIMEOUT_SECONDS)
        except Exception:
            logger.warning("The measures list's menus could not be kept in the cache", exc_info=True)
    return found


def _read_menu_choices(country_id: int | None) -> dict[str, list[tuple[int, str]]]:
    return {
        "edition": [(edition.pk, str(edition)) for edition in in_country(Edition.objects.all(), country_id)],
        "area": [(area.pk, str(area)) for area in in_country(Area.objects.all(), country_id)],
        "agency": [(agency.pk, str(agency)) for agency in in_country(Agency.objects.filter(active=True), country_id)],
    }


class _Menus:
    """The menus' choices for one filter, read from the cache once, when the first menu is drawn: a
    drop-down reads its choices several times, and each read was a round trip to the cache."""

    def __init__(self, country_id: int | None):
        self.country_id = country_id
        self.found = None

    def menu(self, name: str, empty_label) -> list:
        if self.found is None:
            self.found = menu_choices(self.country_id)
        return [("", empty_label), *self.found[name]]


def _choices_changed(**kwargs):
    # Every country's menus: an agency may work in several, and a change is rare enough.
    country_ids = [None, *Country.objects.values_list("pk", flat=True)]
    keys = [_choices_key(country_id, code) for country_id in country_ids for code, _name in settings.LANGUAGES]

    def drop():
        try:
            cache.delete_many(keys)
        except Exception:
            # Saving a plan, an area or a body must not fail because the cache is away; the menus expire.
            logger.warning("Could not drop the measures list's menus from the cache", exc_info=True)

    # Now, and again when the transaction commits: a visit in between may have cached what it read before.
    drop()
    transaction.on_commit(drop)


for _model in (Edition, Area, Agency):
    post_save.connect(_choices_changed, sender=_model, dispatch_uid=f"filter_choices_{_model.__name__}_saved")
    post_delete.connect(_choices_changed, sender=_model, dispatch_uid=f"filter_choices_{_model.__name__}_deleted")
# An agency joining or leaving a country changes that country's menu of agencies.
m2m_changed.connect(_choices_changed, sender=Agency.countries.through, dispatch_uid="filter_choices_agency_countries")


class PlainSelect(forms.Select):
    """A drop-down written in Python rather than through Django's widget templates, which render a
    template and an attribute template for every option: the filter's ~150 options cost more than the
    list's 25 rows. Same markup (attributes included); menus with groups of options use the templates."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        chosen = {str(v) for v in self.format_value(value)}
        options, selected = [], False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            mark = not selected and option_value in chosen
            selected = selected or mark
            options.append((option_value, " selected" if mark else "", label))
        return format_html(
            "<select{}>{}</select>",
            flatatt({**self.build_attrs(self.attrs, attrs), "name": name}),
            format_html_join("", '<option value="{}"{}>{}</option>', options),
        )


RESPONSIBLE = "responsible"


def _with_part(links, part):
    """Agencies' parts narrowed to one part, or to the responsible ones (executing or recommended)."""
    if part == RESPONSIBLE:
        return links.filter(part__in=MeasureAgency.RESPONSIBLE_PARTS)
    return links.filter(part=part) if part else links


class YearFilter(django_filters.NumberFilter):
    """A whole year within reason: "0", "10000" or "1e10" would reach the database as an impossible date."""

    field_class = forms.IntegerField


class MeasureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number or words"), method="filter_text")
    edition = django_filters.ModelChoiceFilter(
        label=_("Action plan"), queryset=Edition.objects.all(), field_name="edition", empty_label=_("All plans")
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Area"), queryset=Area.objects.select_related("edition"), field_name="area", empty_label=_("All areas")
    )
    pillar = django_filters.ChoiceFilter(
        label=_("Pillar"), field_name="area__pillar", choices=Pillar.choices, empty_label=_("All pillars")
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("Agency"),
        queryset=Agency.objects.filter(active=True),
        method="filter_agency",
        empty_label=_("All agencies"),
    )
    part = django_filters.ChoiceFilter(
        label=_("Agency's part"),
        choices=[*MeasureAgency.Part.choices, (RESPONSIBLE, _("Responsible (executing or recommended)"))],
        method="filter_noop",
        empty_label=_("Any part"),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("Any status"))
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="filter_overdue",
        widget=forms.Select(
            choices=[("", _("Overdue or not")), ("true", _("Overdue only")), ("false", _("Not overdue"))]
        ),
    )
    revised = django_filters.BooleanFilter(
        label=_("Deadline revised"),
        method="filter_revised",
        widget=forms.Select(
            choices=[("", _("Revised or not")), ("true", _("Revised deadline")), ("false", _("Original deadline"))]
        ),
    )
    # What the plan's quality review counts (reporting/quality.py): the same conditions, so its figures and
    # the lists its links open agree.
    lacks = django_filters.ChoiceFilter(
        label=_("Lacks"),
        choices=[
            ("responsible", _("A responsible body")),
            ("deadline", _("A dated deadline")),
            ("indicator", _("An indicator with a baseline and a target")),
            ("financing", _("Financing (a budget or a source)")),
        ],
        method="filter_lacks",
        empty_label=_("Nothing in particular"),
    )
    completed = django_filters.ChoiceFilter(
        label=_("Completed"),
        choices=[
            ("on_time", _("By the deadline")),
            ("late", _("After the deadline")),
            ("undated", _("With no dated deadline")),
            # In a closed plan what would be overdue (models.unfinished_condition): the quality review links here.
            ("unfinished", _("Not completed by the plan's end")),
        ],
        method="filter_completed",
        empty_label=_("On time or not"),
    )
    returned = django_filters.ChoiceFilter(
        label=_("Updates returned"),
        choices=[("yes", _("An update was returned for changes"))],
        method="filter_returned",
        empty_label=_("Returned or not"),
    )
    deadline_year = YearFilter(
        label=_("Deadline year"),
        field_name="deadline__year",
        min_value=YEAR_RANGE[0],
        max_value=YEAR_RANGE[1],
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), YEAR_MESSAGE),
        widget=forms.NumberInput(attrs={"min": YEAR_RANGE[0], "max": YEAR_RANGE[1], "step": 1}),
    )
    wording = django_filters.ChoiceFilter(
        label=_("Wording"),
        choices=[("official", _("Official text")), ("illustrative", _("Illustrative"))],
        method="filter_wording",
        empty_label=_("Official and illustrative"),
    )
    # The groups of a focal point's or NGO's home, in full; offered only to those roles (see __init__).
    work = django_filters.ChoiceFilter(
        label=_("My agency's work"),
        choices=[
            ("returned", _("Returned to us")),
            ("draft", _("Our drafts")),
            ("due", _("Due this period")),
            ("overdue", _("Overdue, ours")),
        ],
        method="filter_work",
        empty_label=_("All measures"),
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=[
            ("sort_key", "number"),
            ("deadline", "deadline"),
            ("status", "status"),
            ("progress", "progress"),
            ("title_en", "title"),
        ],
        field_labels={
            "sort_key": _("Number"),
            "-sort_key": _("Number (descending)"),
            "deadline": _("Deadline"),
            "-deadline": _("Deadline (latest first)"),
            "status": _("Status"),
            "-status": _("Status (descending)"),
            "progress": _("Progress"),
            "-progress": _("Progress (most first)"),
            "title_en": _("Title"),
            "-title_en": _("Title (Z–A)"),
        },
        empty_label=_("Plan order"),
    )

    class Meta:
        model = Measure
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The menus, and the values a request may send, are the current country's (nap_tracker/countries.py).
        self.country_id = current_country_id(self.request) if self.request is not None else None
        if self.request is not None:
            # The list and its exports show the current country's measures, whatever queryset the view gave.
            self.queryset = in_country(self.queryset, self.country_id)
        for name in CHOICE_FIELDS:
            self.filters[name].queryset = in_country(self.filters[name].queryset, self.country_id)
        user = getattr(self.request, "user", None)
        if getattr(user, "role", None) not in REPORTING_ROLES:
            del self.filters["work"]
        if user is None or not may_view_quality_review(user):
            # Which measures had an update returned is the review's (a returned update is seen only by the
            # coordinator's office and its own agency): not a list the bodies it judges can ask for.
            del self.filters["returned"]
        # The menus list cached choices; a value sent is still checked against the database.
        menus = _Menus(self.country_id)
        for name, field in self.form.fields.items():
            if type(field.widget) is forms.Select:
                field.widget = PlainSelect(attrs=field.widget.attrs, choices=field.widget.choices)
            if name in CHOICE_FIELDS:
                # Read when the menu is drawn: the CSV export filters without drawing any.
                field.widget.choices = partial(menus.menu, name, field.empty_label)

    def filter_work(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=work_measures(self.request.user, value).values("pk"))

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__startswith=value)
            | Q(title_en__icontains=value)
            | Q(title_az__icontains=value)
            | Q(title_ru__icontains=value)
        )

    def filter_agency(self, queryset, name, agency):
        if not agency:
            return queryset
        links = _with_part(MeasureAgency.objects.filter(agency=agency), self.form.cleaned_data.get("part"))
        return queryset.filter(pk__in=links.values("measure_id"))

    def filter_noop(self, queryset, name, value):
        # Applied together with the agency (see filter_agency); on its own, any agency with that part.
        if value and not self.form.cleaned_data.get("agency"):
            return queryset.filter(pk__in=_with_part(MeasureAgency.objects.all(), value).values("measure_id"))
        return queryset

    def filter_lacks(self, queryset, name, value):
        condition = CRITERIA.get(value)
        return queryset.exclude(condition()) if condition else queryset

    def filter_completed(self, queryset, name, value):
        if value == "unfinished":
            return queryset.filter(unfinished_condition())
        condition = COMPLETION.get(value)
        return queryset.filter(condition()) if condition else queryset

    def filter_returned(self, queryset, name, value):
        return queryset.filter(returned_condition()) if value == "yes" else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_condition()) if value else queryset.exclude(overdue_condition())

    def filter_revised(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(revised_condition()) if value else queryset.exclude(revised_condition())

    def filter_wording(self, queryset, name, value):
        if value == "official":
            return queryset.filter(is_illustrative=False)
        if value == "illustrative":
            return queryset.filter(is_illustrative=True)
        return queryset
