"""What each endpoint answers, field by field; every field's help text is its description in the OpenAPI schema.

Texts the plans hold in English, Azerbaijani and Russian come in the language asked for (`?lang=` or
Accept-Language); where that language is empty another is used, and `<field>_language` says which, so a client
can mark it. An update is written in one language (`language`) and is never translated.

Serializers read only what the selectors loaded (api/selectors.py): none of them makes a query.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from measures.models import Indicator, MeasureAgency, Pillar, Status
from measures.results import totals_by_currency
from nap_tracker.i18n import pick_translation
from nap_tracker.models import Agency

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def _format(template, params) -> str:
    return str(template) % {key: str(value) for key, value in params.items()}


# A translatable description filled in when it is read, so the schema can be asked for in each language.
lazy_format = lazy(_format, str)


@extend_schema_field({"type": "string"})
class TextField(serializers.Field):
    """A text the model holds per language (`title_en`, `title_az`, `title_ru`), in the language asked for, or
    in another where that one is empty; "" where every language is empty."""

    def __init__(self, base: str, **kwargs):
        self.base = base
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        return str(pick_translation(instance, self.base))


@extend_schema_field({"type": "string", "enum": [*LANGUAGE_CODES, None], "nullable": True})
class TextLanguageField(TextField):
    """The language `base` is given in: the one asked for, or another where it is empty (a fallback to mark);
    null where no language has it."""

    def to_representation(self, instance):
        text = pick_translation(instance, self.base)
        return text.language if str(text).strip() else None


def translated(base: str, what, *, field: str = "") -> tuple[TextField, TextLanguageField]:
    """The text (named `field`, by default `base`) and the language it is given in, as two fields described
    for the schema."""
    return (
        TextField(
            base, help_text=lazy_format(_("%(what)s, in the language asked for where it is given."), {"what": what})
        ),
        TextLanguageField(
            base,
            help_text=lazy_format(
                _(
                    "The language of `%(field)s`: differs from the language asked for when the text exists only in "
                    "another (a fallback to mark); null when the text is empty in every language."
                ),
                {"field": field or base},
            ),
        ),
    )


class LabelField(serializers.CharField):
    """The label of a coded value (a status, a pillar) in the language asked for."""

    def __init__(self, field: str, **kwargs):
        super().__init__(source=f"get_{field}_display", read_only=True, **kwargs)


# --- Plans ---------------------------------------------------------------------------------------


class EditionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The plan's id, as filters take it (`edition=`)."))
    code = serializers.CharField(read_only=True, help_text=_("The plan's code, e.g. NAP-2020-2024; its address."))
    country = serializers.CharField(
        source="country.code", read_only=True, help_text=_("The code of the plan's country, as `country=` takes it.")
    )
    title, title_language = translated("title", _("The plan's title"))
    start_year = serializers.IntegerField(read_only=True, help_text=_("The first year the plan covers."))
    end_year = serializers.IntegerField(read_only=True, help_text=_("The last year the plan covers."))
    approved_on = serializers.DateField(read_only=True, allow_null=True, help_text=_("When the plan was approved."))
    legal_basis, legal_basis_language = translated("legal_basis", _("The act that approved the plan"))
    state = serializers.ChoiceField(
        choices=[("active", _("Active")), ("closed", _("Closed"))],
        read_only=True,
        help_text=_("active: being carried out; closed: ended. Plans in draft are never shown."),
    )
    published = serializers.BooleanField(
        read_only=True, help_text=_("Whether the plan's summary is public on the site, for visitors not signed in.")
    )


class AreaSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The area's id, as filters take it (`area=`)."))
    edition = serializers.CharField(source="edition.code", read_only=True, help_text=_("The plan's code."))
    code = serializers.CharField(read_only=True, help_text=_("The area's number in the plan, e.g. 4.1."))
    title, title_language = translated("title", _("The area's title"))
    pillar = serializers.ChoiceField(
        choices=Pillar.choices, read_only=True, help_text=_("The pillar the area belongs to.")
    )
    pillar_label = LabelField("pillar", help_text=_("The pillar's name, in the language asked for."))
    order = serializers.IntegerField(read_only=True, help_text=_("Its place among the plan's areas."))
    is_illustrative = serializers.BooleanField(
        read_only=True, help_text=_("Example wording, not the official title of this section of the plan.")
    )


class PeriodSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The period's id, as filters take it (`period=`)."))
    edition = serializers.CharField(source="edition.code", read_only=True, help_text=_("The plan's code."))
    label = serializers.CharField(read_only=True, help_text=_("The period's name, e.g. 2021 H1."))
    start = serializers.DateField(read_only=True, help_text=_("The first day of the period."))
    end = serializers.DateField(read_only=True, help_text=_("The last day of the period."))
    due_date = serializers.DateField(read_only=True, help_text=_("When the updates for the period are due."))
    closed = serializers.BooleanField(
        source="is_closed",
        read_only=True,
        help_text=_("Closed by the coordinator's office: no update for it can be written or changed any more."),
    )


class AgencySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The agency's id, as filters take it (`agency=`)."))
    code = serializers.CharField(read_only=True, help_text=_("The agency's short code, e.g. MLSPP."))
    name, name_language = translated("name", _("The agency's name"))
    kind = serializers.ChoiceField(choices=Agency.Kind.choices, read_only=True, help_text=_("The kind of body."))
    kind_label = LabelField("kind", help_text=_("The kind of body, in the language asked for."))
    active = serializers.BooleanField(
        read_only=True, help_text=_("false: the administrator made it inactive; it no longer reports.")
    )


# --- Measures ------------------------------------------------------------------------------------


class MeasureAgencySerializer(serializers.Serializer):
    agency = serializers.IntegerField(source="agency_id", read_only=True, help_text=_("The agency's id."))
    code = serializers.CharField(source="agency.code", read_only=True, help_text=_("The agency's code."))
    name = serializers.SerializerMethodField(
        help_text=_("The agency's name, in the language asked for where it has one.")
    )
    part = serializers.ChoiceField(
        choices=MeasureAgency.Part.choices,
        read_only=True,
        help_text=_(
            "executing: carries the measure out and reports on it; recommended: recommended institution, reports "
            "too; partner: takes part (an NGO partner's approved update is an independent assessment)."
        ),
    )
    part_label = LabelField("part", help_text=_("The part, in the language asked for."))
    lead = serializers.BooleanField(
        source="is_lead", read_only=True, help_text=_("The body that leads the measure and reports first.")
    )

    @extend_schema_field(OpenApiTypes.STR)
    def get_name(self, assignment):
        return str(pick_translation(assignment.agency, "name"))


class RevisionSerializer(serializers.Serializer):
    revised_on = serializers.SerializerMethodField(help_text=_("The day the deadline was revised."))
    old_deadline = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("The deadline before; null when there was none.")
    )
    new_deadline = serializers.DateField(read_only=True, help_text=_("The deadline from then on."))
    reason = serializers.CharField(read_only=True, help_text=_("Why the coordinator's office revised it."))

    @extend_schema_field(OpenApiTypes.DATE)
    def get_revised_on(self, revision):
        return timezone.localdate(revision.revised_at)


class IndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The indicator's id, as update values name it."))
    name, name_language = translated("name", _("What the indicator measures"))
    unit = serializers.ChoiceField(
        choices=Indicator.Unit.choices, read_only=True, help_text=_("number, percent, yes_no or text.")
    )
    breakdown = serializers.CharField(
        read_only=True,
        help_text=_('How values are broken down: "" (none), sex, age or sex_age; see `categories`.'),
    )
    categories = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The categories each update reports a value for; empty: one total value."),
    )
    baseline_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, allow_null=True, help_text=_("The value at the start.")
    )
    baseline_text = serializers.CharField(
        read_only=True, help_text=_("The baseline in words, where it is not a number.")
    )
    baseline_year = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("The year of the baseline."))
    target_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, allow_null=True, help_text=_("The value to reach.")
    )
    target_text = serializers.CharField(read_only=True, help_text=_("The target in words, where it is not a number."))
    target_year = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("When to reach it."))


class BudgetLineSerializer(serializers.Serializer):
    source = serializers.CharField(
        source="source.code",
        read_only=True,
        allow_null=True,
        help_text=_("The funding source's code; null when the plan does not say."),
    )
    source_name = serializers.SerializerMethodField(help_text=_("The funding source's name; null when not said."))
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, help_text=_("The planned amount, in `currency`.")
    )
    currency = serializers.CharField(read_only=True, help_text=_("ISO 4217 code, e.g. AZN, USD, EUR."))

    @extend_schema_field({"type": "string", "nullable": True})
    def get_source_name(self, line):
        return str(pick_translation(line.source, "name")) or line.source.code if line.source else None


class AmountSerializer(serializers.Serializer):
    currency = serializers.CharField(read_only=True, help_text=_("ISO 4217 code."))
    amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, read_only=True, help_text=_("The sum in that currency alone.")
    )


class RecommendationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The recommendation's id."))
    source = serializers.CharField(
        source="source.reference",
        read_only=True,
        help_text=_("How the source is cited, e.g. GRETA(2018)17 or TIP 2024."),
    )
    source_kind = serializers.CharField(
        source="source.kind", read_only=True, help_text=_("greta, us_tip, un, sdg or national.")
    )
    number = serializers.CharField(read_only=True, help_text=_("Its number in the source, e.g. §45 or P3."))


class ContinuedMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The earlier measure's id."))
    edition = serializers.CharField(source="edition.code", read_only=True, help_text=_("The earlier plan's code."))
    number = serializers.CharField(read_only=True, help_text=_("The earlier measure's number."))


class MeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        read_only=True, help_text=_("The measure's id: its address and `measure=` in filters.")
    )
    edition = serializers.CharField(source="edition.code", read_only=True, help_text=_("The plan's code."))
    area = serializers.IntegerField(source="area_id", read_only=True, help_text=_("The area's id."))
    area_code = serializers.CharField(source="area.code", read_only=True, help_text=_("The area's number, e.g. 4.1."))
    pillar = serializers.ChoiceField(
        choices=Pillar.choices, source="area.pillar", read_only=True, help_text=_("The pillar of its area.")
    )
    number = serializers.CharField(read_only=True, help_text=_("The number the plan gives it, e.g. 4.1.1."))
    title, title_language = translated("title", _("The measure as the plan words it"))
    description, description_language = translated("description", _("What the measure involves"))
    expected_result, expected_result_language = translated("expected_result", _("The result the plan expects"))
    indicators_text, indicators_text_language = translated(
        "indicators",
        _("The indicators as the plan words them (see `indicators` for those measured)"),
        field="indicators_text",
    )
    period_text, period_text_language = translated(
        "period_text", _("The implementation period as the plan words it, e.g. “2020–2024, annually”")
    )
    financing_source, financing_source_language = translated(
        "financing_source", _("Who finances it, as the plan words it")
    )
    is_illustrative = serializers.BooleanField(
        read_only=True, help_text=_("Example wording, not the official text of the plan: mark it wherever shown.")
    )
    start_date = serializers.DateField(read_only=True, allow_null=True, help_text=_("When the measure starts."))
    deadline = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("The deadline in force: the revised one, if it was revised.")
    )
    original_deadline = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_("The plan's own deadline, before the first revision; null when never revised or none was set."),
    )
    deadline_revised = serializers.BooleanField(read_only=True, help_text=_("The deadline was revised at least once."))
    deadline_revisions = RevisionSerializer(
        many=True, read_only=True, help_text=_("Every revision of the deadline, oldest first, with its reason.")
    )
    status = serializers.ChoiceField(
        choices=Status.choices,
        read_only=True,
        help_text=_(
            "The status in force: the coordinator's office's consolidated status where it set one, otherwise the "
            "latest approved update of the responsible bodies (the lead's first)."
        ),
    )
    status_label = LabelField("status", help_text=_("The status, in the language asked for."))
    progress = serializers.IntegerField(read_only=True, help_text=_("Progress in percent (0–100), with the status."))
    status_changed_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("When the status in force last changed.")
    )
    consolidated = serializers.BooleanField(
        source="is_consolidated",
        read_only=True,
        help_text=_("The coordinator's office set the status itself, over the bodies' reports."),
    )
    consolidated_note = serializers.CharField(
        read_only=True, help_text=_('Why the coordinator\'s office set the status; "" when it did not.')
    )
    overdue = serializers.SerializerMethodField(
        help_text=_(
            "Past the deadline in force, neither completed nor ongoing, in an active plan (as the measures list "
            "marks it); in a closed plan never: such a measure was not completed by the plan's end."
        )
    )
    agencies = MeasureAgencySerializer(
        source="assignments", many=True, read_only=True, help_text=_("The bodies taking part, the lead first.")
    )
    indicators = IndicatorSerializer(
        source="indicator_set",
        many=True,
        read_only=True,
        help_text=_("The indicators measured, with baseline and target."),
    )
    budget = BudgetLineSerializer(
        source="budget_lines",
        many=True,
        read_only=True,
        help_text=_("The planned budget, line by line, each in its own currency."),
    )
    budget_totals = serializers.SerializerMethodField(
        help_text=_("The planned budget added up per currency; amounts in different currencies are never added.")
    )
    recommendations = RecommendationSerializer(
        many=True, read_only=True, help_text=_("The international or national recommendations the measure answers.")
    )
    continues = ContinuedMeasureSerializer(
        read_only=True,
        allow_null=True,
        help_text=_("The measure of an earlier plan this one carries on; null if none."),
    )

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, measure) -> bool:
        today = self.context.get("today") or timezone.localdate()
        return measure.is_overdue(today)

    @extend_schema_field(AmountSerializer(many=True))
    def get_budget_totals(self, measure):
        totals = totals_by_currency(measure.budget_lines.all())
        return AmountSerializer([{"currency": c, "amount": a} for c, a in totals], many=True).data


# --- Updates -------------------------------------------------------------------------------------


class IndicatorValueSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(source="indicator_id", read_only=True, help_text=_("The indicator's id."))
    category = serializers.CharField(
        read_only=True, help_text=_("total, or the breakdown category: women, men, girls, boys, children, adults.")
    )
    value = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, allow_null=True, help_text=_("The value; null for text.")
    )
    text = serializers.CharField(read_only=True, help_text=_("The value in words, for a text or yes/no indicator."))


class SpendingSerializer(serializers.Serializer):
    source = serializers.CharField(
        source="source.code",
        read_only=True,
        allow_null=True,
        help_text=_("The funding source's code; null when not said."),
    )
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, help_text=_("Spent, in `currency`.")
    )
    currency = serializers.CharField(read_only=True, help_text=_("ISO 4217 code."))


class UpdateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The update's id."))
    measure = serializers.IntegerField(source="measure_id", read_only=True, help_text=_("The measure's id."))
    measure_number = serializers.CharField(
        source="measure.number", read_only=True, help_text=_("The measure's number.")
    )
    edition = serializers.CharField(source="measure.edition.code", read_only=True, help_text=_("The plan's code."))
    agency = serializers.IntegerField(
        source="agency_id", read_only=True, help_text=_("The id of the agency reporting.")
    )
    agency_code = serializers.CharField(source="agency.code", read_only=True, help_text=_("The agency's code."))
    period = serializers.IntegerField(source="period_id", read_only=True, help_text=_("The reporting period's id."))
    period_label = serializers.CharField(
        source="period.label", read_only=True, help_text=_("The period, e.g. 2021 H1.")
    )
    status = serializers.ChoiceField(
        choices=Status.choices, read_only=True, help_text=_("The status the agency reported.")
    )
    status_label = LabelField("status", help_text=_("The status, in the language asked for."))
    progress = serializers.IntegerField(read_only=True, help_text=_("The progress reported, in percent (0–100)."))
    narrative = serializers.CharField(
        read_only=True, help_text=_("What was done, as the agency wrote it, in `language`; never translated.")
    )
    figures = serializers.CharField(
        read_only=True, help_text=_("Figures against the indicators, as written, in `language`.")
    )
    language = serializers.SerializerMethodField(
        help_text=_("The language the update is written in; null when its author was not asked (older updates).")
    )
    approved_at = serializers.DateTimeField(
        source="reviewed_at", read_only=True, allow_null=True, help_text=_("When the coordinator's office approved it.")
    )
    updated_at = serializers.DateTimeField(
        read_only=True, help_text=_("When it last changed (`updated_since` reads it).")
    )
    indicator_values = IndicatorValueSerializer(
        many=True, read_only=True, help_text=_("The values it reports against the measure's indicators.")
    )
    spending = SpendingSerializer(many=True, read_only=True, help_text=_("Money it reports as spent in its period."))

    @extend_schema_field({"type": "string", "enum": [*LANGUAGE_CODES, None], "nullable": True})
    def get_language(self, update):
        return update.language or None


# --- A plan's summary ----------------------------------------------------------------------------


ByStatusSerializer = type(
    "ByStatusSerializer",
    (serializers.Serializer,),
    {
        value: serializers.IntegerField(
            read_only=True, help_text=lazy_format(_("Measures with the status “%(label)s”."), {"label": label})
        )
        for value, label in Status.choices
    },
)


class StatusCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(read_only=True, help_text=_("Measures counted."))
    by_status = ByStatusSerializer(source="counts", read_only=True, help_text=_("Measures by status in force."))
    completed = serializers.IntegerField(read_only=True, help_text=_("Measures completed."))
    average_progress = serializers.IntegerField(read_only=True, help_text=_("Average progress, in percent."))
    overdue = serializers.IntegerField(read_only=True, help_text=_("Measures overdue."))
    revised = serializers.IntegerField(read_only=True, help_text=_("Measures whose deadline was revised."))
    revisions = serializers.IntegerField(read_only=True, help_text=_("Deadline revisions made."))


class SectionSerializer(serializers.Serializer):
    area = serializers.IntegerField(source="key", read_only=True, help_text=_("The area's id."))
    code = serializers.CharField(read_only=True, help_text=_("The area's number."))
    title = serializers.CharField(
        read_only=True, help_text=_("The area's title, in the language asked for where it has one.")
    )
    pillar = serializers.CharField(read_only=True, help_text=_("The area's pillar."))
    counts = StatusCountsSerializer(read_only=True, help_text=_("Its measures counted."))


class PillarCountsSerializer(serializers.Serializer):
    pillar = serializers.CharField(read_only=True, help_text=_("The pillar."))
    label = serializers.CharField(read_only=True, help_text=_("The pillar's name, in the language asked for."))
    counts = StatusCountsSerializer(read_only=True, help_text=_("Its measures counted."))


class AgencyLineSerializer(serializers.Serializer):
    agency = serializers.IntegerField(source="agency.id", read_only=True, help_text=_("The agency's id."))
    code = serializers.CharField(source="agency.code", read_only=True, help_text=_("The agency's code."))
    name = serializers.SerializerMethodField(
        help_text=_("The agency's name, in the language asked for where it has one.")
    )
    leads = serializers.IntegerField(read_only=True, help_text=_("Measures it leads."))
    counts = StatusCountsSerializer(read_only=True, help_text=_("The measures it takes part in, counted."))

    @extend_schema_field(OpenApiTypes.STR)
    def get_name(self, line):
        return str(pick_translation(line.agency, "name"))


class PeriodPointSerializer(serializers.Serializer):
    period = serializers.CharField(source="label", read_only=True, help_text=_("The period's label."))
    average_progress = serializers.IntegerField(read_only=True, help_text=_("Average progress at its end, in percent."))
    completed = serializers.IntegerField(read_only=True, help_text=_("Measures completed by its end."))
    reported = serializers.IntegerField(read_only=True, help_text=_("Measures with an approved update by its end."))


class CarriedSerializer(serializers.Serializer):
    measures = serializers.IntegerField(read_only=True, help_text=_("Measures that continue one of an earlier plan."))
    earlier_editions = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("The codes of those earlier plans.")
    )
    earlier = StatusCountsSerializer(read_only=True, help_text=_("How those measures ended in the earlier plan."))
    now = StatusCountsSerializer(read_only=True, help_text=_("How they stand now."))


class SummarySerializer(serializers.Serializer):
    edition = serializers.CharField(read_only=True, help_text=_("The plan's code."))
    as_of = serializers.DateField(read_only=True, help_text=_("The day the numbers are counted for."))
    totals = StatusCountsSerializer(read_only=True, help_text=_("All the plan's measures."))
    due = serializers.IntegerField(read_only=True, help_text=_("Measures whose deadline has passed."))
    completed_of_due = serializers.IntegerField(read_only=True, help_text=_("Of those, completed."))
    completed_of_due_share = serializers.IntegerField(read_only=True, help_text=_("The same, in percent."))
    overdue_share = serializers.IntegerField(read_only=True, help_text=_("Measures overdue, in percent of all."))
    assessed = serializers.IntegerField(
        read_only=True, help_text=_("Measures with an independent assessment by an NGO partner.")
    )
    disagreements = serializers.IntegerField(
        read_only=True, help_text=_("Assessments that disagree with the status in force.")
    )
    areas = SectionSerializer(
        source="sections", many=True, read_only=True, help_text=_("Per area, in the plan's order.")
    )
    pillars = PillarCountsSerializer(many=True, read_only=True, help_text=_("Per pillar that has measures."))
    agencies = AgencyLineSerializer(
        source="by_agency", many=True, read_only=True, help_text=_("Per agency taking part, the busiest first.")
    )
    series = PeriodPointSerializer(
        many=True, read_only=True, help_text=_("Progress across the reporting periods so far.")
    )
    carried = CarriedSerializer(read_only=True, help_text=_("The measures carried over from earlier plans."))

    def to_representation(self, numbers):
        """From the dashboard's `DashboardNumbers` (reporting/numbers.py): the same numbers, nothing counted here."""
        prepared = {
            "edition": numbers.edition.code,
            "as_of": numbers.as_of,
            "totals": numbers.totals,
            "due": numbers.due,
            "completed_of_due": numbers.completed_of_due,
            "completed_of_due_share": numbers.completed_of_due_share,
            "overdue_share": numbers.overdue_share,
            "assessed": numbers.assessed,
            "disagreements": numbers.disagreements,
            "sections": numbers.sections,
            "pillars": [
                {"pillar": value, "label": str(label), "counts": counts} for value, label, counts in numbers.by_pillar
            ],
            "by_agency": numbers.by_agency,
            "series": numbers.series,
            "carried": {
                "measures": numbers.carried,
                "earlier_editions": numbers.earlier_edition_codes,
                "earlier": numbers.carried_earlier,
                "now": numbers.carried_later,
            },
        }
        return super().to_representation(prepared)
