import io
from dataclasses import dataclass
from datetime import date

import pytest
from pypdf import PdfReader

from measures.models import MeasureAgency, Status, StatusUpdate
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    EditionFactory,
    MeasureAgencyFactory,
    MeasureFactory,
    ReportingPeriodFactory,
    StatusUpdateFactory,
    UserFactory,
)

TODAY = date(2023, 3, 1)
EVIL_TITLE = '<img src="file:///etc/passwd">'


def pdf_text(content: bytes) -> str:
    """The text of every page, with runs of white space made single (tables break lines)."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


@dataclass
class Plan:
    edition: object
    areas: dict
    measures: dict
    agencies: dict
    periods: dict


@pytest.fixture
def plan(db):
    """A small plan whose numbers are known by heart.

    Area 4.1 (prevention): 4.1.1 completed (MLSPP lead), 4.1.2 in progress 40% and overdue
    (MLSPP, deadline 2022), 4.1.3 titled like an HTML image (MOJ).
    Area 4.2 (protection): 4.2.1 delayed 20% (MOJ lead, CLEAN-WORLD partner), 4.2.2 not started (MOJ).
    """
    mlspp = AgencyFactory(code="MLSPP", name_en="Ministry of Labour", name_az="Əmək Nazirliyi")
    moj = AgencyFactory(code="MOJ", name_en="Ministry of Justice", name_az="Ədliyyə Nazirliyi")
    ngo = AgencyFactory(code="CLEAN-WORLD", name_en="Clean World", name_az="Təmiz Dünya", kind="ngo")
    edition = EditionFactory(
        code="NAP-2020-2024",
        title_en="National Action Plan 2020–2024",
        title_az="2020–2024-cü illər üçün Milli Fəaliyyət Planı",
        legal_basis_en="Order No. 2173",
    )
    prevention = AreaFactory(edition=edition, code="4.1", title_en="Legal base", title_az="Hüquqi baza", order=1)
    protection = AreaFactory(
        edition=edition,
        code="4.2",
        title_en="Victim protection",
        title_az="Qurbanların müdafiəsi və köməyi",
        order=2,
        pillar="protection",
    )
    p2021 = ReportingPeriodFactory(edition=edition, label="2021 H2")
    p2022 = ReportingPeriodFactory(edition=edition, label="2022 H2")
    measures = {
        "4.1.1": MeasureFactory(
            area=prevention,
            number="4.1.1",
            title_en="Amend the anti-trafficking law",
            title_az="Qanuna dəyişiklik edilməsi",
            deadline=date(2022, 12, 31),
        ),
        "4.1.2": MeasureFactory(
            area=prevention,
            number="4.1.2",
            title_en="Train labour inspectors",
            title_az="İnsan alverinə qarşı əmək müfəttişlərinin təlimi",
            deadline=date(2022, 6, 30),
        ),
        "4.1.3": MeasureFactory(area=prevention, number="4.1.3", title_en=EVIL_TITLE, deadline=date(2024, 12, 31)),
        "4.2.1": MeasureFactory(
            area=protection,
            number="4.2.1",
            title_en="Open a shelter in Ganja",
            title_az="Gəncədə sığınacaq açılması",
            deadline=date(2024, 12, 31),
        ),
        "4.2.2": MeasureFactory(
            area=protection, number="4.2.2", title_en="Hotline for children", deadline=date(2024, 12, 31)
        ),
    }
    lead = {"4.1.1": mlspp, "4.1.2": mlspp, "4.1.3": moj, "4.2.1": moj, "4.2.2": moj}
    for number, agency in lead.items():
        MeasureAgencyFactory(measure=measures[number], agency=agency, is_lead=True)
    MeasureAgencyFactory(measure=measures["4.2.1"], agency=ngo, part=MeasureAgency.Part.PARTNER)
    coordinator = UserFactory(username="plan-coordinator", role="coordinator", agency=None)

    def approve(number, period, status, progress, narrative):
        measure = measures[number]
        StatusUpdateFactory(
            measure=measure,
            agency=lead[number],
            period=period,
            status=status,
            progress=progress,
            narrative=narrative,
            state=StatusUpdate.State.APPROVED,
            reviewer=coordinator,
        )
        measure.status, measure.progress = status, progress
        measure.save(update_fields=["status", "progress"])

    approve("4.1.1", p2021, Status.IN_PROGRESS, 50, "Draft law sent to the Cabinet.")
    approve("4.1.1", p2022, Status.COMPLETED, 100, "Law adopted by the Milli Məclis.")
    approve("4.1.2", p2022, Status.IN_PROGRESS, 40, "Trained 40 inspectors in Şəki.")
    approve("4.2.1", p2022, Status.DELAYED, 20, "Building chosen; repairs not yet started.")
    # Drafts never count.
    StatusUpdateFactory(
        measure=measures["4.2.2"],
        agency=moj,
        period=p2022,
        status=Status.COMPLETED,
        progress=100,
        narrative="A draft nobody approved.",
        state=StatusUpdate.State.DRAFT,
    )
    return Plan(
        edition=edition,
        areas={"4.1": prevention, "4.2": protection},
        measures=measures,
        agencies={"MLSPP": mlspp, "MOJ": moj, "CLEAN-WORLD": ngo},
        periods={"2021 H2": p2021, "2022 H2": p2022},
    )
