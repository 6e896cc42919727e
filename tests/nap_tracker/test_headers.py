"""The security headers every response carries, pinned on the pages and files that matter most.

A browser obeys these headers, not our intentions: the Content Security Policy refuses any
script or style the site did not serve as a file, and `Cache-Control: no-store` keeps a signed-in
page or a downloaded file out of a shared computer's cache and the browser's back button.
"""

import hashlib
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from measures.demo_files import simple_pdf
from measures.models import Evidence, StatusUpdate
from reporting.models import Report
from tests.factories import MeasureAgencyFactory, StatusUpdateFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# The headers every response of the site carries, whoever asks.
EVERYWHERE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_site_policy(response):
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    for name in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy.get(name, []), name
        assert "'unsafe-eval'" not in policy.get(name, []), name


@pytest.fixture
def files(people, tmp_path):
    """An approved update with an evidence file, and a finished report the partner asked for."""
    assignment = MeasureAgencyFactory(agency=people["focal_point"].agency)
    update = StatusUpdateFactory(
        measure=assignment.measure,
        agency=assignment.agency,
        author=people["focal_point"],
        state=StatusUpdate.State.APPROVED,
    )
    content = simple_pdf("Training", ["24 people trained"])
    evidence = Evidence.objects.create(
        update=update,
        file=ContentFile(content, name="training.pdf"),
        original_name="training.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=people["focal_point"],
    )
    report = Report.objects.create(
        edition=assignment.measure.edition, requested_by=people["partner"], state=Report.State.QUEUED
    )
    report.file.save("progress-en.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    report.state = Report.State.DONE
    report.save()
    return {"evidence": evidence, "report": report}


def read(response):
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def test_signed_in_page_carries_the_whole_header_set(client, people):
    client.force_login(people["focal_point"])
    response = client.get(reverse("measure_list"))
    assert response.status_code == 200
    for name, value in EVERYWHERE.items():
        assert response[name] == value, name
    assert_site_policy(response)
    assert "no-store" in cache_directives(response)
    assert "private" in cache_directives(response)


def test_sign_in_page_carries_the_whole_header_set(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    for name, value in EVERYWHERE.items():
        assert response[name] == value, name
    assert_site_policy(response)
    # The sign-in form holds a CSRF token: no cache may keep it either.
    assert "no-store" in cache_directives(response)


def test_evidence_download_is_never_stored_and_runs_nothing(client, people, files):
    client.force_login(people["partner"])
    response = read(client.get(reverse("evidence_download", args=[files["evidence"].pk])))
    assert response.status_code == 200
    for name, value in EVERYWHERE.items():
        assert response[name] == value, name
    assert "no-store" in cache_directives(response)
    # A file someone uploaded is never a page of the site: it may load nothing and run nothing.
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    assert "sandbox" in policy


def test_report_download_is_never_stored(client, people, files):
    client.force_login(people["partner"])
    response = read(client.get(reverse("reporting:download", args=[files["report"].pk])))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    for name, value in EVERYWHERE.items():
        assert response[name] == value, name
    assert "no-store" in cache_directives(response)
    assert "Content-Security-Policy" in response


def test_csv_export_is_never_stored(client, people, files):
    client.force_login(people["ngo"])
    response = client.get(reverse("measure_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    for name, value in EVERYWHERE.items():
        assert response[name] == value, name
    assert "no-store" in cache_directives(response)


def test_public_summary_for_anonymous_visitors_carries_the_policy(client, people, files):
    edition = files["report"].edition
    edition.published = True
    edition.save()
    response = client.get(reverse("public_summary", args=[edition.code]))
    assert response.status_code == 200
    assert_site_policy(response)
    for name, value in EVERYWHERE.items():
        assert response[name] == value, name


def test_admin_pages_carry_the_policy_and_are_never_stored(client, people):
    client.force_login(people["admin"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert_site_policy(response)
    assert "no-store" in cache_directives(response)


def test_static_files_keep_their_own_caching(people, rf):
    """Static files are the same for everyone: signing in must not stop browsers caching them."""
    from django.http import HttpResponse

    from nap_tracker.middleware import NoStoreMiddleware

    def static_file(request):
        response = HttpResponse(b"body { }", content_type="text/css")
        response["Cache-Control"] = "max-age=31536000, public, immutable"
        return response

    request = rf.get("/static/css/app.css")
    request.user = people["focal_point"]
    response = NoStoreMiddleware(static_file)(request)
    assert cache_directives(response) == {"max-age=31536000", "public", "immutable"}


# --- Nothing left in the templates that would need 'unsafe-inline' -------------------------

# PDF templates are rendered by WeasyPrint and e-mails by mail programs: neither is served as a page.
NOT_PAGES = ("reporting/pdf/", "measures/email/")
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on… event handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def page_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES).as_posix()
        if not relative.startswith(NOT_PAGES):
            yield relative, path.read_text(encoding="utf-8")


def test_page_templates_need_no_inline_script_or_style():
    found = [f"{name}: {what}" for name, text in page_templates() for pattern, what in INLINE if pattern.search(text)]
    assert not found, "move these into static files or CSS classes:\n" + "\n".join(found)


# --- Every page of the site, for every role -------------------------------------------------


def test_every_page_of_the_matrix_carries_the_policy_for_every_role(client, matrix_objects, settings):
    """Every URL of the permission matrix, as every role: each answer carries the headers, and
    every HTML page the site's policy (the matrix fails when a URL is added without a row)."""
    settings.DEBUG = False  # the demo is loaded with DEBUG on; a server runs without it
    from django.db import transaction

    from nap_tracker.models import User
    from tests.measures.test_permission_matrix import MATRIX, ROLES, USERNAMES, url_for

    wrong = []
    for case, (name, target, method, _expected) in MATRIX.items():
        if method != "get":
            continue
        url = url_for(name, target, matrix_objects)
        for role in ROLES:
            with transaction.atomic():
                client.logout()
                if role != "anonymous":
                    client.force_login(User.objects.get(username=USERNAMES[role]))
                response = read(client.get(url))
                transaction.set_rollback(True)
            missing = [header for header in EVERYWHERE if response.get(header) != EVERYWHERE[header]]
            if missing:
                wrong.append(f"{case} as {role}: {', '.join(missing)}")
            if response.get("Content-Type", "").startswith("text/html"):
                try:
                    assert_site_policy(response)
                except (AssertionError, KeyError) as error:
                    wrong.append(f"{case} as {role}: policy {error!r}")
            if role != "anonymous" and "no-store" not in cache_directives(response):
                wrong.append(f"{case} as {role}: no Cache-Control: no-store")
    assert not wrong, "\n".join(wrong)


def test_answers_made_before_any_view_carry_the_policy_and_are_never_stored(client, people, settings):
    """Found by attacking a running copy: the 400 page for a NUL character (shown in the signed-in
    layout) and the sign-in-paused page are answered by middleware before any view, and came back
    without the Content Security Policy and, for a signed-in person, without no-store."""
    client.force_login(people["focal_point"])
    refused = client.get(reverse("measure_list"), {"q": "\x00"})
    assert refused.status_code == 400
    assert_site_policy(refused)
    assert "no-store" in cache_directives(refused)

    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        paused = client.post(reverse("login"), {"username": "focal", "password": "guess"})
    assert paused.status_code == 429
    assert_site_policy(paused)
