"""Everything recorded before the installation served several countries was Azerbaijan's: its plans, the
recommendations made to it, the bodies named in them and the people who report, review and follow them. Administrators are left without a
country, so they go on administering the whole installation (docs/decisions.md, "Countries").

A new, empty installation gets no country here: its administrator creates the first one."""

from django.db import migrations

AZERBAIJAN = {
    "code": "az",
    "name_en": "Azerbaijan",
    "name_az": "Azərbaycan",
    "name_ru": "Азербайджан",
    "name_local": "Azərbaycan",
    "content_languages": "az,ru,en",
    "time_zone": "Asia/Baku",
}
# The Main Department on Combating Trafficking in Human Beings, Ministry of Internal Affairs.
COORDINATOR_OFFICE = "MIA-MDCTHB"


def move_to_azerbaijan(apps, schema_editor):
    Country = apps.get_model("nap_tracker", "Country")
    Agency = apps.get_model("nap_tracker", "Agency")
    User = apps.get_model("nap_tracker", "User")
    Edition = apps.get_model("measures", "Edition")
    RecommendationSource = apps.get_model("measures", "RecommendationSource")
    people = User.objects.exclude(role="admin")
    if not (
        Edition.objects.exists() or RecommendationSource.objects.exists() or Agency.objects.exists() or people.exists()
    ):
        return
    country, _created = Country.objects.get_or_create(code=AZERBAIJAN["code"], defaults=AZERBAIJAN)
    if country.coordinator_office_id is None:
        country.coordinator_office = Agency.objects.filter(code=COORDINATOR_OFFICE).first()
        country.save(update_fields=["coordinator_office"])
    Edition.objects.filter(country__isnull=True).update(country=country)
    RecommendationSource.objects.filter(country__isnull=True).update(country=country)
    AgencyCountry = Agency.countries.through
    AgencyCountry.objects.bulk_create(
        [AgencyCountry(agency_id=pk, country_id=country.pk) for pk in Agency.objects.values_list("pk", flat=True)],
        ignore_conflicts=True,
        batch_size=1000,
    )
    UserCountry = User.countries.through
    UserCountry.objects.bulk_create(
        [UserCountry(user_id=pk, country_id=country.pk) for pk in people.values_list("pk", flat=True)],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0013_edition_and_recommendation_source_country"),
        ("nap_tracker", "0008_countries"),
    ]

    operations = [
        migrations.RunPython(move_to_azerbaijan, migrations.RunPython.noop),
    ]
