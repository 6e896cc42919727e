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
from nap_tracker.models import Agency, User


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"AGENCY-{n}")
    name_en = factory.LazyAttribute(lambda o: f"Agency {o.code}")
    name_az = factory.LazyAttribute(lambda o: f"Qurum {o.code}")
    kind = Agency.Kind.MINISTRY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = User.Role.FOCAL_POINT
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password("pass-word-123")


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition
        django_get_or_create = ["code"]

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
