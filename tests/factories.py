from datetime import date

import factory

from measures.models import (
    Area,
    Edition,
    Measure,
    MeasureAgency,
    ReportingPeriod,
    Status,
    StatusUpdate,
)
from nap_tracker.models import Agency, Country, User


class CountryFactory(factory.django.DjangoModelFactory):
    """Azerbaijan unless told otherwise: every row a test makes belongs to it, as every row of an
    installation with one country does."""

    class Meta:
        model = Country
        django_get_or_create = ["code"]

    code = "az"
    name_en = factory.LazyAttribute(lambda o: "Azerbaijan" if o.code == "az" else f"Country {o.code}")
    name_az = factory.LazyAttribute(lambda o: "Azərbaycan" if o.code == "az" else "")
    content_languages = "az,ru,en"
    time_zone = "Asia/Baku"


def _in_countries(obj, create, extracted):
    """`countries=[...]` gives the row those countries; by default it belongs to Azerbaijan."""
    if not create:
        return
    obj.countries.add(*(extracted if extracted is not None else [CountryFactory()]))


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["code"]
        skip_postgeneration_save = True

    countries = factory.PostGeneration(_in_countries)

    code = factory.Sequence(lambda n: f"AGENCY-{n}")
    name_en = factory.LazyAttribute(lambda o: f"Agency {o.code}")
    name_az = factory.LazyAttribute(lambda o: f"Qurum {o.code}")
    kind = Agency.Kind.MINISTRY


def _person_in_countries(person, create, extracted):
    """An administrator is given no country unless told (they administer the whole installation);
    everyone else belongs to Azerbaijan unless told."""
    if not create:
        return
    if extracted is None and person.role == User.Role.ADMIN:
        return
    _in_countries(person, create, extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    countries = factory.PostGeneration(_person_in_countries)

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = User.Role.FOCAL_POINT
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password("pass-word-123")


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition
        django_get_or_create = ["code"]

    country = factory.SubFactory(CountryFactory)
    code = factory.Sequence(lambda n: f"NAP-TEST-{n}")
    title_en = factory.LazyAttribute(lambda o: f"Plan {o.code}")
    start_year = 2020
    end_year = 2024
    state = Edition.State.ACTIVE


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    edition = factory.SubFactory(EditionFactory)
    code = factory.Sequence(lambda n: f"4.{n}")
    title_en = factory.LazyAttribute(lambda o: f"Area {o.code}")
    pillar = "prevention"


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    area = factory.SubFactory(AreaFactory)
    edition = factory.LazyAttribute(lambda o: o.area.edition)
    number = factory.Sequence(lambda n: f"4.1.{n + 1}")
    title_en = factory.LazyAttribute(lambda o: f"Measure {o.number}")
    deadline = date(2024, 12, 31)


class MeasureAgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureAgency

    measure = factory.SubFactory(MeasureFactory)
    agency = factory.SubFactory(AgencyFactory)
    part = MeasureAgency.Part.EXECUTING


class ReportingPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod

    edition = factory.SubFactory(EditionFactory)
    label = factory.Sequence(lambda n: f"{2020 + n} H2")
    start = factory.LazyAttribute(lambda o: date(int(o.label[:4]), 7, 1))
    end = factory.LazyAttribute(lambda o: date(int(o.label[:4]), 12, 31))
    due_date = factory.LazyAttribute(lambda o: date(int(o.label[:4]) + 1, 1, 31))


class StatusUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusUpdate

    measure = factory.SubFactory(MeasureFactory)
    agency = factory.SubFactory(AgencyFactory)
    period = factory.SubFactory(ReportingPeriodFactory, edition=factory.SelfAttribute("..measure.edition"))
    status = Status.IN_PROGRESS
    progress = 40
    narrative = "Held three awareness sessions in Ganja."
    author = factory.SubFactory(UserFactory, agency=factory.SelfAttribute("..agency"))
