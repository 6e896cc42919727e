"""The admin's import page (upload → preview → confirm) and the import commands."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, ManagementUtility, call_command
from django.test import Client
from django.urls import reverse

from measures.importing import export_edition
from measures.models import Edition, Measure
from nap_tracker.models import User
from tests.measures.import_files import OFFICIAL_HEADER, xlsx

pytestmark = pytest.mark.django_db

GOOD = [OFFICIAL_HEADER, ["4.9.1", "A new measure", "Cabinet of Ministers*", "2021–2022"]]
BAD = [
    OFFICIAL_HEADER,
    ["4.9.1", "A new measure", "Minstry of Health", "2021–2022"],
    ["4.9.2", "Another", "CABMIN", "2026"],
]


@pytest.fixture
def edition(demo):
    edition = Edition.objects.get(code="NAP-2020-2024")
    edition.areas.create(code="4.9", title_en="Imported area", pillar="prevention", order=9)
    return edition


@pytest.fixture
def admin_client(client, edition):
    client.force_login(User.objects.get(username="admin"))
    return client


def upload(client, edition, rows, name="plan.xlsx"):
    url = reverse("admin:measures_edition_import", args=[edition.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, xlsx(rows))})


def test_edition_page_links_to_import_and_export(admin_client, edition):
    page = admin_client.get(reverse("admin:measures_edition_change", args=[edition.pk])).content.decode()
    assert reverse("admin:measures_edition_import", args=[edition.pk]) in page
    assert reverse("admin:measures_edition_export", args=[edition.pk]) in page


def test_import_page_offers_the_template(admin_client, edition):
    page = admin_client.get(reverse("admin:measures_edition_import", args=[edition.pk])).content.decode()
    assert reverse("admin:measures_edition_import_template") in page
    response = admin_client.get(reverse("admin:measures_edition_import_template"))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert "attachment" in response["Content-Disposition"]


def test_upload_preview_then_confirm_imports_the_file(admin_client, edition):
    response = upload(admin_client, edition, GOOD)
    assert response.status_code == 302
    preview_url = response["Location"]
    page = admin_client.get(preview_url).content.decode()
    assert "4.9.1" in page and "The file is correct." in page and "Nothing has been imported yet" in page
    assert not Measure.objects.filter(edition=edition, number="4.9.1").exists()

    confirmed = admin_client.post(preview_url)
    assert confirmed.status_code == 302
    measure = Measure.objects.get(edition=edition, number="4.9.1")
    assert measure.history.first().history_user.username == "admin"
    # The upload is gone once used: confirming twice cannot import twice.
    assert admin_client.post(preview_url).status_code == 302
    assert Measure.objects.filter(edition=edition, number="4.9.1").count() == 1


def test_a_file_with_errors_shows_each_problem_and_offers_no_confirmation(admin_client, edition):
    preview_url = upload(admin_client, edition, BAD)["Location"]
    page = admin_client.get(preview_url).content.decode()
    assert "unknown agency “Minstry of Health” — did you mean “Ministry of Health”?" in page
    assert "row 3, implementation period" in page
    assert "nothing will be imported" in page
    assert "Import 0 new" not in page and 'type="submit" class="default" value="Import' not in page
    # Posting a confirmation anyway writes nothing.
    admin_client.post(preview_url)
    assert not Measure.objects.filter(edition=edition, number__startswith="4.9.").exists()


def test_the_preview_is_read_from_storage_not_from_the_form(admin_client, edition):
    preview_url = upload(admin_client, edition, GOOD)["Location"]
    admin_client.post(preview_url, {"file": SimpleUploadedFile("evil.xlsx", xlsx(BAD)), "content": "x"})
    assert Measure.objects.filter(edition=edition, number="4.9.1").exists()


def test_another_session_cannot_use_the_upload(admin_client, client, edition, django_user_model):
    preview_url = upload(admin_client, edition, GOOD)["Location"]
    other = django_user_model.objects.create_user("admin2", role=User.Role.ADMIN, password="x-y-z-123456")
    second = Client()
    second.force_login(other)
    response = second.post(preview_url)
    assert response.status_code == 302 and response["Location"].endswith(f"/{edition.pk}/import/")
    assert not Measure.objects.filter(edition=edition, number="4.9.1").exists()


def test_an_oversized_upload_is_refused_at_the_form(admin_client, edition, settings):
    settings.IMPORT_MAX_BYTES = 100
    response = upload(admin_client, edition, GOOD)
    assert response.status_code == 200
    assert "the largest file accepted is" in response.content.decode()


def test_export_downloads_the_measures(admin_client, edition):
    response = admin_client.get(reverse("admin:measures_edition_export", args=[edition.pk]) + "?format=csv")
    assert response.status_code == 200
    assert "4.1.1" in response.content.decode("utf-8-sig")


@pytest.mark.parametrize("username", ["coordinator", "focal", "ngo", "partner"])
@pytest.mark.parametrize("page", ["import", "export", "template"])
def test_only_the_administrator_reaches_import_and_export(client, edition, username, page):
    client.force_login(User.objects.get(username=username))
    url = (
        reverse("admin:measures_edition_import_template")
        if page == "template"
        else reverse(f"admin:measures_edition_{page}", args=[edition.pk])
    )
    response = client.post(url, {"file": SimpleUploadedFile("plan.xlsx", xlsx(GOOD))})
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert not Measure.objects.filter(number="4.9.1").exists()


def test_a_staff_member_who_is_not_the_administrator_is_refused(client, edition):
    coordinator = User.objects.get(username="coordinator")
    User.objects.filter(pk=coordinator.pk).update(is_staff=True)
    client.force_login(coordinator)
    response = client.get(reverse("admin:measures_edition_import", args=[edition.pk]))
    # The admin site asks the role, not only the flag: the coordinator is sent to sign in as an administrator.
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


# --- Commands ----------------------------------------------------------------------------------


def write(tmp_path, rows, name="plan.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx(rows))
    return str(path)


def test_import_command_imports_and_reports(edition, tmp_path):
    out = io.StringIO()
    call_command("import_edition", write(tmp_path, GOOD), "--edition", edition.code, stdout=out)
    assert "1 new, 0 changed" in out.getvalue()
    measure = Measure.objects.get(edition=edition, number="4.9.1")
    assert (measure.start_date, measure.deadline) == (date(2021, 1, 1), date(2022, 12, 31))


def test_import_command_dry_run_writes_nothing(edition, tmp_path):
    out = io.StringIO()
    call_command("import_edition", write(tmp_path, GOOD), "--edition", edition.code, "--dry-run", stdout=out)
    assert "dry run, nothing written" in out.getvalue()
    assert not Measure.objects.filter(number="4.9.1").exists()


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_import_command_fails_and_prints_every_error(edition, tmp_path, dry_run):
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problems; nothing was imported"):
        call_command("import_edition", write(tmp_path, BAD), "--edition", edition.code, *dry_run, stderr=err)
    assert "row 2, executing bodies: unknown agency" in err.getvalue()
    assert "row 3, implementation period" in err.getvalue()
    assert not Measure.objects.filter(number__startswith="4.9.").exists()


def test_import_command_exits_non_zero(edition, tmp_path):
    # Run as from the shell: a CommandError becomes exit status 1.
    with pytest.raises(SystemExit) as exit_status:
        ManagementUtility(["manage.py", "import_edition", write(tmp_path, BAD), "--edition", edition.code]).execute()
    assert exit_status.value.code == 1


def test_import_command_names_unknown_plans(edition, tmp_path):
    with pytest.raises(CommandError, match="No action plan with the code 'NOPE'"):
        call_command("import_edition", write(tmp_path, GOOD), "--edition", "NOPE")


def test_template_and_export_commands_write_files_the_import_reads(edition, tmp_path):
    template = tmp_path / "template.xlsx"
    call_command("import_template", "-o", str(template), stdout=io.StringIO())
    assert template.read_bytes().startswith(b"PK")
    exported = tmp_path / "plan.csv"
    call_command("export_edition", "--edition", edition.code, "-o", str(exported), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_edition", str(exported), "--edition", edition.code, "--dry-run", stdout=out)
    assert f"0 new, 0 changed, {edition.measures.count()} unchanged" in out.getvalue()
    assert export_edition(edition=edition, file_format="csv").content == exported.read_bytes()
