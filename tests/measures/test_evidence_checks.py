"""Evidence files are judged by what they are, with bounded work, and stored under the type we found.

Found by attacking a running copy: an OpenDocument file whose `mimetype` entry was 400 MB of zeros
made a worker use 1 GB while checking it; a file starting with `%PDF-` and continuing as HTML was
accepted; and the stored name kept the uploader's extension.
"""

import io
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.urls import reverse

from measures.demo_files import simple_pdf
from measures.evidence import check_evidence_file
from measures.models import Evidence, Measure, ReportingPeriod
from nap_tracker.models import User
from tests.factories import CountryFactory

MB = 1024 * 1024


def zip_bomb(path, entry_size=400 * MB):
    """An OpenDocument-looking file whose `mimetype` entry unpacks to `entry_size` zeros (~400 KB packed)."""
    chunk = b"\0" * MB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w", force_zip64=True) as entry:
            for _ in range(entry_size // MB):
                entry.write(chunk)
        archive.writestr("content.xml", "<office:document-content/>")
    return path


def uploaded(path, name):
    handle = open(path, "rb")  # noqa: SIM115 — closed by the test through the UploadedFile
    return UploadedFile(file=handle, name=name, size=path.stat().st_size, content_type="application/octet-stream")


def test_a_zip_bomb_is_refused_without_unpacking_it(tmp_path):
    bomb = zip_bomb(tmp_path / "report.odt")
    assert bomb.stat().st_size < 2 * MB
    upload = uploaded(bomb, "report.odt")
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as refused:
            check_evidence_file(upload)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        upload.close()
    assert peak < 20 * MB, f"checking the file used {peak / MB:.0f} MB"
    assert "“report.odt” unpacks to more than" in refused.value.messages[0]


def test_the_mimetype_entry_is_read_only_as_far_as_needed(tmp_path, settings):
    """Even within the unpacked-size limit, the check reads a few bytes of the entry, never all of it."""
    settings.EVIDENCE_MAX_UNPACKED_BYTES = 200 * MB
    path = tmp_path / "notes.odt"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text" + b" " * (100 * MB))
        archive.writestr("content.xml", "<office:document-content/>")
    upload = uploaded(path, "notes.odt")
    tracemalloc.start()
    try:
        checked = check_evidence_file(upload)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        upload.close()
    assert checked.content_type == "application/vnd.oasis.opendocument.text"
    assert peak < 20 * MB, f"checking the file used {peak / MB:.0f} MB"


def test_an_archive_of_too_many_entries_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for n in range(10_001):
            archive.writestr(f"word/part{n}.xml", "")
    with pytest.raises(ValidationError) as refused:
        check_evidence_file(SimpleUploadedFile("many.docx", buffer.getvalue()))
    assert "“many.docx” holds too many files" in refused.value.messages[0]


@pytest.mark.parametrize("declared", ["image/png", "application/pdf", "application/msword"])
def test_an_archive_that_names_itself_another_type_is_refused(declared):
    """Found by attacking a running copy: a ZIP holding a web page, whose `mimetype` entry said
    "image/png", was stored and offered as a PNG image. Only OpenDocument names itself that way."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", declared)
        archive.writestr("index.html", "<html><script>alert(document.domain)</script></html>")
    with pytest.raises(ValidationError) as refused:
        check_evidence_file(SimpleUploadedFile("photo.png", buffer.getvalue()))
    assert refused.value.code == "wrong_type"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n",
        b"%PDF-1.7\n<html><body>hi</body></html>\n%%EOF\n",
        b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" * 3 + b"trailer << /Root 1 0 R >>\n%%EOF",
    ],
    ids=["html after the signature", "html with an end marker", "no pages"],
)
def test_a_file_that_only_starts_like_a_pdf_is_refused(content):
    with pytest.raises(ValidationError) as refused:
        check_evidence_file(SimpleUploadedFile("report.pdf", content))
    assert "“report.pdf” starts like a PDF but cannot be read as one" in refused.value.messages[0]


def test_a_real_pdf_is_accepted():
    checked = check_evidence_file(SimpleUploadedFile("report.pdf", simple_pdf("Minutes", ["Attendance: 24"])))
    assert checked.content_type == "application/pdf" and checked.name == "report.pdf"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("report.html", "report.pdf"),
        ("scan", "scan.pdf"),
        ("minutes.PDF", "minutes.PDF"),
        (".htaccess", "htaccess.pdf"),
    ],
)
def test_the_stored_file_takes_the_extension_of_the_type_found(client, demo, name, shown):
    measure = Measure.objects.get(edition__code="NAP-2020-2024", number="4.3.3")
    period = ReportingPeriod.objects.get(edition=measure.edition, label="2024 H2")
    client.force_login(User.objects.get(username="focal"))
    upload = SimpleUploadedFile(name, simple_pdf("Evidence", ["Attendance"]), content_type="text/html")
    data = {
        "period": period.pk,
        "status": "in_progress",
        "progress": 50,
        "language": "en",
        "narrative": "Done.",
        "files": [upload],
    }
    response = client.post(reverse("update_create", args=[measure.pk]), data)
    assert response.status_code == 302
    evidence = Evidence.objects.get(update__measure=measure, update__period=period)
    assert evidence.file.name.endswith(".pdf") and evidence.content_type == "application/pdf"
    assert evidence.original_name == shown
    download = client.get(reverse("evidence_download", args=[evidence.pk]))
    b"".join(download.streaming_content)
    assert download["Content-Disposition"].endswith(f'"{shown}"') or shown in download["Content-Disposition"]


@pytest.mark.django_db
def test_a_plan_import_that_would_unpack_too_far_is_refused_unread(client, people, settings):
    from measures.models import Edition

    settings.EVIDENCE_MAX_UNPACKED_BYTES = MB
    edition = Edition.objects.create(
        country=CountryFactory(), code="NAP-BOMB", title_en="Plan", start_year=2020, end_year=2024
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (2 * MB))
    client.force_login(people["admin"])
    response = client.post(
        reverse("admin:measures_edition_import", args=[edition.pk]),
        {"file": SimpleUploadedFile("plan.xlsx", buffer.getvalue())},
    )
    assert response.status_code == 200
    assert "This workbook unpacks to far more than a plan" in response.content.decode()
