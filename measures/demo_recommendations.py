"""Demo recommendations from GRETA's second evaluation of Azerbaijan, the US TIP report 2024 and SDG 8.7.

The reports are real and cited by their real references; the recommendations' texts here are short
paraphrases, and their numbers examples, so every such recommendation is marked illustrative. SDG
target 8.7 is quoted in its official wording. Some recommendations are left without a measure, as in
life: those are the gaps the coverage pages show.
"""

from measures.commitments.services import measure_links_replace
from measures.models import Edition, Measure, Recommendation, RecommendationSource

Kind = RecommendationSource.Kind
Priority = Recommendation.Priority

SOURCES = [
    {
        "reference": "GRETA(2018)17",
        "kind": Kind.GRETA,
        "evaluation_round": 2,
        "year": 2018,
        "title_en": "GRETA report on Azerbaijan, second evaluation round",
        "title_ru": "Доклад ГРЕТА по Азербайджану, второй раунд оценки",
        "title_az": "",
    },
    {
        "reference": "TIP 2024",
        "kind": Kind.US_TIP,
        "evaluation_round": None,
        "year": 2024,
        "title_en": "US Trafficking in Persons Report 2024: Azerbaijan (Tier 2)",
        "title_ru": "",
        "title_az": "",
    },
    {
        "reference": "SDG 8.7",
        "kind": Kind.SDG,
        "evaluation_round": None,
        "year": 2015,
        "title_en": "Sustainable Development Goal 8, target 8.7",
        "title_ru": "Цель устойчивого развития 8, задача 8.7",
        "title_az": "",
    },
]

# (source reference, number, priority, illustrative, text en, text ru, measures of NAP 2020–2024 answering it)
RECOMMENDATIONS = [
    (
        "GRETA(2018)17",
        "§28",
        Priority.CONSIDERS,
        True,
        "Set up a comprehensive and coherent statistical system on trafficking, with data on victims, "
        "investigations, prosecutions and convictions that can be compared across bodies.",
        "",
        ["4.6.2"],
    ),
    (
        "GRETA(2018)17",
        "§45",
        Priority.URGES,
        True,
        "Strengthen the identification of victims of trafficking for labour exploitation, giving labour "
        "inspectors the mandate and training to detect it, in particular in agriculture and construction.",
        "",
        ["4.1.3", "4.2.10"],
    ),
    (
        "GRETA(2018)17",
        "§61",
        Priority.CONSIDERS,
        True,
        "Train judges, prosecutors and investigators regularly on trafficking and on the rights of victims.",
        "",
        ["4.4.3"],
    ),
    (
        "GRETA(2018)17",
        "§75",
        Priority.URGES,
        True,
        "Make sure that victims are not punished for unlawful acts they were compelled to commit, through a "
        "clear provision in law and guidance to prosecutors.",
        "",
        ["4.1.7"],
    ),
    (
        "GRETA(2018)17",
        "§88",
        Priority.CONSIDERS,
        True,
        "Improve the identification of child victims and provide them with specialised, child-appropriate "
        "accommodation and assistance.",
        "",
        ["4.3.2", "4.4.6"],
    ),
    (
        "GRETA(2018)17",
        "§113",
        Priority.URGES,
        True,
        "Guarantee victims effective access to compensation, from the offenders and through a state fund "
        "where offenders cannot pay.",
        "",
        [],
    ),
    (
        "GRETA(2018)17",
        "§126",
        Priority.CONSIDERS,
        True,
        "Set out in law a recovery and reflection period for presumed victims, and inform them of it.",
        "",
        [],
    ),
    (
        "GRETA(2018)17",
        "§156",
        Priority.URGES,
        True,
        "Investigate trafficking cases proactively, including through financial investigations, so that "
        "they lead to convictions and dissuasive sentences.",
        "",
        ["4.4.1", "4.4.4"],
    ),
    (
        "TIP 2024",
        "P1",
        Priority.PRIORITIZED,
        True,
        "Increase efforts to investigate and prosecute trafficking crimes, including forced labour, and "
        "convict traffickers with significant prison terms.",
        "",
        ["4.4.1"],
    ),
    (
        "TIP 2024",
        "P2",
        Priority.PRIORITIZED,
        True,
        "Proactively screen vulnerable groups — migrant workers, asylum seekers, children in street "
        "situations — for signs of trafficking and refer victims to care.",
        "",
        ["4.1.3", "4.3.6"],
    ),
    (
        "TIP 2024",
        "P3",
        Priority.PRIORITIZED,
        True,
        "Ensure victims are not penalised for unlawful acts traffickers compelled them to commit.",
        "",
        ["4.1.7"],
    ),
    (
        "TIP 2024",
        "P4",
        Priority.PRIORITIZED,
        True,
        "Increase funding for NGO-run shelters and victim services, including through state grants.",
        "",
        ["4.1.4", "4.5.5"],
    ),
    (
        "TIP 2024",
        "R1",
        Priority.RECOMMENDED,
        True,
        "Train officials on victim-centred, trauma-informed approaches to identification and prosecution.",
        "",
        ["4.4.3", "4.4.5"],
    ),
    (
        "TIP 2024",
        "R2",
        Priority.RECOMMENDED,
        True,
        "Allow labour inspectors to make unannounced inspections and to refer suspected forced labour cases.",
        "",
        [],
    ),
    (
        "TIP 2024",
        "R3",
        Priority.RECOMMENDED,
        True,
        "Seek restitution for victims in criminal cases and inform them of their right to civil damages.",
        "",
        [],
    ),
    (
        "SDG 8.7",
        "8.7",
        Priority.NONE,
        False,
        "Take immediate and effective measures to eradicate forced labour, end modern slavery and human "
        "trafficking and secure the prohibition and elimination of the worst forms of child labour, including "
        "recruitment and use of child soldiers, and by 2025 end child labour in all its forms.",
        "Принять безотлагательные и эффективные меры для искоренения принудительного труда, покончить с "
        "современным рабством и торговлей людьми и обеспечить запрещение и ликвидацию наихудших форм детского "
        "труда, включая вербовку и использование детей-солдат, а к 2025 году положить конец детскому труду во "
        "всех его формах.",
        ["4.2.3", "4.2.10"],
    ),
]

DEMO_REFERENCES = [source["reference"] for source in SOURCES]


def add_recommendations(edition_code: str) -> bool:
    """The demo's sources and recommendations, linked to the plan's measures. Does nothing (and says
    False) when they are already there, so loading the demo twice changes nothing."""
    if RecommendationSource.objects.filter(reference__in=DEMO_REFERENCES).exists():
        return False
    sources = {}
    # The recommendations are made to the plan's country.
    country_id = Edition.objects.filter(code=edition_code).values_list("country_id", flat=True).first()
    for spec in SOURCES:
        source = RecommendationSource(country_id=country_id, **spec)
        source.save()
        sources[source.reference] = source
    measures = {m.number: m for m in Measure.objects.filter(edition__code=edition_code)}
    answering: dict[str, list[int]] = {}
    for reference, number, priority, illustrative, text_en, text_ru, answered_by in RECOMMENDATIONS:
        recommendation = Recommendation(
            source=sources[reference],
            number=number,
            priority=priority,
            is_illustrative=illustrative,
            text_en=text_en,
            text_ru=text_ru,
        )
        recommendation.save()
        for number in answered_by:
            if number in measures:
                answering.setdefault(number, []).append(recommendation.pk)
    # Linked from the measure's side, as the coordinator's office links them: the measure's history keeps them.
    for number, recommendation_ids in answering.items():
        measure_links_replace(measure=measures[number], recommendation_ids=recommendation_ids, user=None)
    return True


def remove_recommendations():
    RecommendationSource.objects.filter(reference__in=DEMO_REFERENCES).delete()
