"""Every URL × every role, with the answer each one must get.

Outsiders get 404 (they must not learn an object exists), read-only and unauthorised roles 403,
anonymous visitors are sent to sign in. A URL added to the site without a row here fails
`test_every_url_is_in_the_matrix`.
"""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.tokens import token_issue
from measures.demo_files import simple_pdf
from measures.models import (
    Edition,
    Evidence,
    Measure,
    Notification,
    Recommendation,
    RecommendationSource,
    ReportingPeriod,
    StatusUpdate,
    UpdateEvent,
)
from nap_tracker.models import Country, User
from tests.api.test_permissions import API_MATRIX
from tests.reporting.test_views import MATRIX as REPORTING_MATRIX

ROLES = ["admin", "coordinator", "focal_point", "ngo", "partner", "anonymous"]
USERNAMES = {"admin": "admin", "coordinator": "coordinator", "focal_point": "focal", "ngo": "ngo", "partner": "partner"}
LOGIN = "login"  # expected: a redirect to the sign-in page
OK, FOUND, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404


def everyone(code, anonymous=LOGIN):
    return dict.fromkeys(ROLES[:-1], code) | {"anonymous": anonymous}


def staff_only(other=FORBIDDEN):
    return {"admin": OK, "coordinator": OK, "focal_point": other, "ngo": other, "partner": other, "anonymous": LOGIN}


def admin_only(other=FORBIDDEN):
    return {"admin": OK, "coordinator": other, "focal_point": other, "ngo": other, "partner": other, "anonymous": LOGIN}


# case name → (URL name, what to put in the URL, method, expected answer per role)
MATRIX = {
    "home": ("home", None, "get", everyone(OK)),
    "measure list": ("measure_list", None, "get", everyone(OK)),
    "measure list as CSV": ("measure_csv", None, "get", everyone(OK)),
    "measure page": ("measure_detail", "other_measure", "get", everyone(OK)),
    # Measures are everyone's to read, so the roles that may not revise get 403, not 404.
    "revise a deadline: the form": ("measure_revise_deadline", "other_measure", "get", staff_only()),
    "revise a deadline": (
        "measure_revise_deadline",
        "other_measure",
        "post",
        staff_only() | {"admin": FOUND, "coordinator": FOUND},
    ),
    "new update on own measure": (
        "update_create",
        "mlspp_measure",
        "get",
        {
            "admin": FORBIDDEN,
            "coordinator": FORBIDDEN,
            "focal_point": OK,
            "ngo": FORBIDDEN,
            "partner": FORBIDDEN,
            "anonymous": LOGIN,
        },
    ),
    "new update as NGO partner": (
        "update_create",
        "ngo_measure",
        "get",
        {
            "admin": FORBIDDEN,
            "coordinator": FORBIDDEN,
            "focal_point": OK,
            "ngo": OK,
            "partner": FORBIDDEN,
            "anonymous": LOGIN,
        },
    ),
    "new update on another agency's measure": (
        "update_create",
        "other_measure",
        "get",
        {
            "admin": FORBIDDEN,
            "coordinator": FORBIDDEN,
            "focal_point": FORBIDDEN,
            "ngo": FORBIDDEN,
            "partner": FORBIDDEN,
            "anonymous": LOGIN,
        },
    ),
    "edit own agency's draft": (
        "update_edit",
        "mlspp_draft",
        "get",
        {
            "admin": FORBIDDEN,
            "coordinator": FORBIDDEN,
            "focal_point": OK,
            "ngo": NOT_FOUND,
            "partner": NOT_FOUND,
            "anonymous": LOGIN,
        },
    ),
    "edit an approved update": ("update_edit", "approved_update", "get", everyone(FORBIDDEN)),
    "withdraw own submitted update": (
        "update_withdraw",
        "mlspp_submitted",
        "post",
        {
            "admin": FORBIDDEN,
            "coordinator": FORBIDDEN,
            "focal_point": FOUND,
            "ngo": NOT_FOUND,
            "partner": NOT_FOUND,
            "anonymous": LOGIN,
        },
    ),
    "withdraw another agency's update": (
        "update_withdraw",
        "other_submitted",
        "post",
        {
            "admin": FORBIDDEN,
            "coordinator": FORBIDDEN,
            "focal_point": NOT_FOUND,
            "ngo": NOT_FOUND,
            "partner": NOT_FOUND,
            "anonymous": LOGIN,
        },
    ),
    "review another agency's update": ("update_review", "other_submitted", "get", staff_only(other=NOT_FOUND)),
    "review own agency's update": (
        "update_review",
        "mlspp_submitted",
        "get",
        {
            "admin": OK,
            "coordinator": OK,
            "focal_point": FORBIDDEN,
            "ngo": NOT_FOUND,
            "partner": NOT_FOUND,
            "anonymous": LOGIN,
        },
    ),
    "approve by posting the review form": (
        "update_review",
        "other_submitted",
        "post",
        {
            "admin": FOUND,
            "coordinator": FOUND,
            "focal_point": NOT_FOUND,
            "ngo": NOT_FOUND,
            "partner": NOT_FOUND,
            "anonymous": LOGIN,
        },
    ),
    "comment on own agency's submitted update": (
        "update_comment",
        "mlspp_submitted",
        "post",
        {
            "admin": FOUND,
            "coordinator": FOUND,
            "focal_point": FOUND,
            "ngo": NOT_FOUND,
            "partner": NOT_FOUND,
            "anonymous": LOGIN,
        },
    ),
    "comment on an approved update": ("update_comment", "approved_update", "post", everyone(FORBIDDEN)),
    "review queue": ("review_queue", None, "get", staff_only()),
    "approve from the queue": ("review_queue", None, "post", staff_only() | {"admin": FOUND, "coordinator": FOUND}),
    "evidence of an approved update": ("evidence_download", "approved_evidence", "get", everyone(OK)),
    "evidence of a draft": (
        "evidence_download",
        "draft_evidence",
        "get",
        {"admin": OK, "coordinator": OK, "focal_point": OK, "ngo": NOT_FOUND, "partner": NOT_FOUND, "anonymous": LOGIN},
    ),
    # A restricted file: the coordinator's office and the update's own agency; for anyone else it does not exist.
    "own agency's restricted file of an approved update": (
        "evidence_download",
        "mlspp_restricted_evidence",
        "get",
        {"admin": OK, "coordinator": OK, "focal_point": OK, "ngo": NOT_FOUND, "partner": NOT_FOUND, "anonymous": LOGIN},
    ),
    "another agency's restricted file of an approved update": (
        "evidence_download",
        "other_restricted_evidence",
        "get",
        {
            "admin": OK,
            "coordinator": OK,
            "focal_point": NOT_FOUND,
            "ngo": NOT_FOUND,
            "partner": NOT_FOUND,
            "anonymous": LOGIN,
        },
    ),
    "remove a restricted file of an approved update": (
        "evidence_remove",
        "other_restricted_evidence",
        "post",
        {
            "admin": FORBIDDEN,
            "coordinator": FORBIDDEN,
            "focal_point": NOT_FOUND,
            "ngo": NOT_FOUND,
            "partner": NOT_FOUND,
            "anonymous": LOGIN,
        },
    ),
    "erase a restricted file": (
        "evidence_erase",
        "other_restricted_evidence",
        "get",
        {
            "admin": OK,
            "coordinator": FORBIDDEN,
            "focal_point": NOT_FOUND,
            "ngo": NOT_FOUND,
            "partner": NOT_FOUND,
            "anonymous": LOGIN,
        },
    ),
    "consolidated status form": ("measure_consolidate", "consolidated_measure", "get", staff_only()),
    "set a consolidated status": (
        "measure_consolidate",
        "consolidated_measure",
        "post",
        staff_only() | {"admin": FOUND, "coordinator": FOUND},
    ),
    "remove a file from own agency's draft": (
        "evidence_remove",
        "draft_evidence",
        "post",
        {
            "admin": FORBIDDEN,
            "coordinator": FORBIDDEN,
            "focal_point": FOUND,
            "ngo": NOT_FOUND,
            "partner": NOT_FOUND,
            "anonymous": LOGIN,
        },
    ),
    "remove a file from an approved update": ("evidence_remove", "approved_evidence", "post", everyone(FORBIDDEN)),
    "erase a file of an approved update": (
        "evidence_erase",
        "approved_evidence",
        "get",
        {
            "admin": OK,
            "coordinator": FORBIDDEN,
            "focal_point": FORBIDDEN,
            "ngo": FORBIDDEN,
            "partner": FORBIDDEN,
            "anonymous": LOGIN,
        },
    ),
    "erase a file of a draft": (
        "evidence_erase",
        "draft_evidence",
        "post",
        {
            "admin": FOUND,
            "coordinator": FORBIDDEN,
            "focal_point": FORBIDDEN,
            "ngo": NOT_FOUND,
            "partner": NOT_FOUND,
            "anonymous": LOGIN,
        },
    ),
    "my notifications": ("notification_list", None, "get", everyone(OK)),
    "open a notification addressed to the focal point": (
        "notification_open",
        "focal_notification",
        "get",
        {
            "admin": NOT_FOUND,
            "coordinator": NOT_FOUND,
            "focal_point": FOUND,
            "ngo": NOT_FOUND,
            "partner": NOT_FOUND,
            "anonymous": LOGIN,
        },
    ),
    "mark all notifications read": ("notification_read_all", None, "post", everyone(FOUND)),
    "a plan's reporting periods": ("period_list", "published_plan", "get", everyone(OK)),
    "recommendations": ("recommendation_list", None, "get", everyone(OK)),
    "a recommendation source's coverage": ("recommendation_coverage", "tip_source", "get", everyone(OK)),
    # Everyone reads the recommendations, so the roles that may not keep them get 403, not 404.
    "add a recommendation source: the form": ("recommendation_source_create", None, "get", staff_only()),
    "add a recommendation source": (
        "recommendation_source_create",
        None,
        "post",
        staff_only() | {"admin": FOUND, "coordinator": FOUND},
    ),
    "edit a recommendation source: the form": (
        "recommendation_source_edit",
        "recommendation_source",
        "get",
        staff_only(),
    ),
    "edit a recommendation source": (
        "recommendation_source_edit",
        "recommendation_source",
        "post",
        staff_only() | {"admin": FOUND, "coordinator": FOUND},
    ),
    "add a recommendation: the form": ("recommendation_create", None, "get", staff_only()),
    "add a recommendation": (
        "recommendation_create",
        None,
        "post",
        staff_only() | {"admin": FOUND, "coordinator": FOUND},
    ),
    "edit a recommendation: the form": ("recommendation_edit", "answered_recommendation", "get", staff_only()),
    "edit a recommendation": (
        "recommendation_edit",
        "answered_recommendation",
        "post",
        staff_only() | {"admin": FOUND, "coordinator": FOUND},
    ),
    "delete a recommendation: the question": ("recommendation_delete", "answered_recommendation", "get", staff_only()),
    # Refused for everyone: a measure answers it. The staff are sent back to the question, which says so.
    "delete a recommendation a measure answers": (
        "recommendation_delete",
        "answered_recommendation",
        "post",
        staff_only() | {"admin": FOUND, "coordinator": FOUND},
    ),
    "import recommendations: the upload form": ("recommendation_import", None, "get", staff_only()),
    # Posted without a file: the staff get the form back with the message.
    "import recommendations": (
        "recommendation_import",
        None,
        "post",
        staff_only() | {"admin": 400, "coordinator": 400},
    ),
    # A token this session did not upload: the staff are sent back to upload the file again.
    "import recommendations: the preview": (
        "recommendation_import_preview",
        "import_token",
        "get",
        staff_only() | {"admin": FOUND, "coordinator": FOUND},
    ),
    "the recommendations a measure answers: the form": (
        "measure_recommendations",
        "other_measure",
        "get",
        staff_only(),
    ),
    "the recommendations a measure answers": (
        "measure_recommendations",
        "other_measure",
        "post",
        staff_only() | {"admin": FOUND, "coordinator": FOUND},
    ),
    "a closed reporting period": ("period_detail", "closed_period", "get", everyone(OK)),
    "an open reporting period": ("period_detail", "open_period", "get", everyone(OK)),
    "close a reporting period": (
        "period_close",
        "open_period",
        "post",
        staff_only() | {"admin": FOUND, "coordinator": FOUND},
    ),
    "reopen a reporting period": (
        "period_reopen",
        "closed_period",
        "post",
        staff_only() | {"admin": FOUND, "coordinator": FOUND},
    ),
    # Drafting the next plan from one in its last year (the demo's NAP-2020-2024): the coordinator's office only.
    "draft the next plan: the form": ("next_plan", "published_plan", "get", staff_only()),
    "draft the next plan": (
        "next_plan",
        "published_plan",
        "post",
        staff_only() | {"admin": FOUND, "coordinator": FOUND},
    ),
    # The quality review judges the plan and the bodies carrying it out: the coordinator's office and partners.
    "quality review of the running plan": (
        "reporting:quality",
        "published_plan",
        "get",
        {"admin": OK, "coordinator": OK, "focal_point": FORBIDDEN, "ngo": FORBIDDEN, "partner": OK, "anonymous": LOGIN},
    ),
    "quality review of a closed plan": (
        "reporting:quality",
        "unpublished_plan",
        "get",
        {"admin": OK, "coordinator": OK, "focal_point": FORBIDDEN, "ngo": FORBIDDEN, "partner": OK, "anonymous": LOGIN},
    ),
    "public summary of a published plan": ("public_summary", "published_plan", "get", everyone(OK, anonymous=OK)),
    "public summary of an unpublished plan": (
        "public_summary",
        "unpublished_plan",
        "get",
        everyone(OK, anonymous=NOT_FOUND),
    ),
    # API tokens are the system administrator's. A token's own address is nobody else's to find: 404.
    "API tokens": ("api:token_list", None, "get", admin_only()),
    "issue an API token: the form": ("api:token_issue", None, "get", admin_only()),
    # The administrator gets the page that shows the new token once (rendered, not redirected to).
    "issue an API token": ("api:token_issue", None, "post", admin_only()),
    "revoke an API token: the question": ("api:token_revoke", "api_token", "get", admin_only(other=NOT_FOUND)),
    "revoke an API token": (
        "api:token_revoke",
        "api_token",
        "post",
        admin_only(other=NOT_FOUND) | {"admin": FOUND},
    ),
    "sign in": ("login", None, "get", everyone(FOUND, anonymous=OK)),
    "sign out": ("logout", None, "post", everyone(FOUND, anonymous=FOUND)),
    "change password": ("password_change", None, "get", everyone(OK)),
    "password changed": ("password_change_done", None, "get", everyone(OK)),
    "forgotten password": ("password_reset", None, "get", everyone(OK, anonymous=OK)),
    "reset link sent": ("password_reset_done", None, "get", everyone(OK, anonymous=OK)),
    "reset link": ("password_reset_confirm", "reset_token", "get", everyone(OK, anonymous=OK)),
    "password reset done": ("password_reset_complete", None, "get", everyone(OK, anonymous=OK)),
    "change language": ("set_language", None, "post", everyone(FOUND, anonymous=FOUND)),
    # Everyone may choose among their own countries (the demo's are all Azerbaijan's, the partner's and the
    # installation administrator's Georgia too); another's is tested in test_countries.py.
    "switch country": ("country_switch", None, "post", everyone(FOUND)),
    # Only those who follow several countries compare them: the partner and the installation's administrator.
    "countries compared": (
        "country_comparison",
        None,
        "get",
        {
            "admin": OK,
            "coordinator": FORBIDDEN,
            "focal_point": FORBIDDEN,
            "ngo": FORBIDDEN,
            "partner": OK,
            "anonymous": LOGIN,
        },
    ),
    "my settings": ("account_settings", None, "get", everyone(OK)),
    # The second factor. In this matrix (tests/conftest.py) administrators and the coordinator's office
    # have an authenticator app and a verified session; the other roles have not turned it on.
    "code page, already verified or nothing to verify": ("second_factor_verify", None, "get", everyone(FOUND)),
    "set up an authenticator app": (
        "second_factor_enrol",
        None,
        "get",
        {"admin": FOUND, "coordinator": FOUND, "focal_point": OK, "ngo": OK, "partner": OK, "anonymous": LOGIN},
    ),
    "recovery codes": (
        "second_factor_recovery_codes",
        None,
        "get",
        {"admin": OK, "coordinator": OK, "focal_point": FOUND, "ngo": FOUND, "partner": FOUND, "anonymous": LOGIN},
    ),
    "make new recovery codes": ("second_factor_recovery_codes", None, "post", everyone(FOUND)),
    "turn off the second factor": (
        "second_factor_disable",
        None,
        "get",
        {
            "admin": FORBIDDEN,
            "coordinator": FORBIDDEN,
            "focal_point": FOUND,
            "ngo": FOUND,
            "partner": FOUND,
            "anonymous": LOGIN,
        },
    ),
}

# URL names served by Django's admin are tested in tests/test_admin.py.
OUTSIDE_THE_MATRIX = {"admin"}
# The reporting app's pages and the API have their own matrices, with the same roles and rules.
OTHER_MATRICES = [REPORTING_MATRIX, API_MATRIX]


@pytest.fixture
def objects(demo):
    return matrix_objects_from_demo()


def matrix_objects_from_demo():
    """The objects the matrix points at, from the demo data."""
    nap20 = Edition.objects.get(code="NAP-2020-2024")
    submitted = StatusUpdate.objects.filter(state="submitted").exclude(agency__code__in=["MLSPP", "CLEAN-WORLD"])
    mlspp_draft = StatusUpdate.objects.get(agency__code="MLSPP", state="draft", measure__number="4.1.8")
    approved = Evidence.objects.filter(update__state="approved", restricted=False).select_related("update").first()
    # The Ministry of Labour's restricted file (demo data), and another agency's, made restricted here.
    mlspp_restricted = Evidence.objects.get(restricted=True, update__agency__code="MLSPP")
    other_restricted = (
        Evidence.objects.filter(update__state="approved", restricted=False)
        .exclude(update__agency__code__in=["MLSPP", "CLEAN-WORLD"])
        .exclude(pk=approved.pk)
        .first()
    )
    other_restricted.restricted = True
    other_restricted.save(update_fields=["restricted"])
    StatusUpdate.objects.filter(pk=other_restricted.update_id).update(restricted_details=OTHER_SECRETS[0])
    content = simple_pdf("Draft evidence", ["Attendance list"])
    draft_evidence = Evidence.objects.create(
        update=mlspp_draft,
        file=ContentFile(content, name="attendance.pdf"),
        original_name="attendance.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=mlspp_draft.author,
    )
    Edition.objects.filter(code="NAP-2014-2018").update(published=False)
    mlspp_submitted = StatusUpdate.objects.get(agency__code="MLSPP", state="submitted")
    question = UpdateEvent.objects.create(
        update=mlspp_submitted, kind="comment", actor=User.objects.get(username="coordinator"), text="Which regions?"
    )
    focal_notification = Notification.objects.create(recipient=User.objects.get(username="focal"), event=question)
    api_token, _secret = token_issue(
        by=User.objects.get(username="admin"),
        name="IOM monitoring",
        organisation=User.objects.get(username="partner").agency,
        scopes=["measures"],
        expires_at=timezone.now() + timedelta(days=365),
    )
    return {
        "api_token": api_token,
        "azerbaijan": Country.objects.get(code="az"),
        "focal_notification": focal_notification,
        "mlspp_measure": Measure.objects.get(edition=nap20, number="4.2.3"),
        "ngo_measure": Measure.objects.get(edition=nap20, number="4.3.1"),
        "other_measure": Measure.objects.get(edition=nap20, number="4.1.1"),
        "mlspp_draft": mlspp_draft,
        "mlspp_submitted": mlspp_submitted,
        "other_submitted": submitted.order_by("pk").first(),
        "approved_update": approved.update,
        "approved_evidence": approved,
        "draft_evidence": draft_evidence,
        "mlspp_restricted_evidence": mlspp_restricted,
        "other_restricted_evidence": other_restricted,
        "consolidated_measure": Measure.objects.get(edition=nap20, number="4.1.4"),
        "published_plan": nap20,
        "unpublished_plan": Edition.objects.get(code="NAP-2014-2018"),
        # The demo closes 2021 H2 of the running plan; 2024 H2 is open.
        "closed_period": ReportingPeriod.objects.get(edition=nap20, label="2021 H2", closed_at__isnull=False),
        "open_period": ReportingPeriod.objects.get(edition=nap20, label="2024 H2", closed_at__isnull=True),
        # TIP 2024 P4 is answered by 4.1.4, whose latest approved report holds the Ministry of Labour's secrets.
        "tip_source": RecommendationSource.objects.get(reference="TIP 2024"),
        "recommendation_source": RecommendationSource.objects.get(reference="GRETA(2018)17"),
        "answered_recommendation": Recommendation.objects.filter(measures__isnull=False).order_by("pk").first(),
    }


# --- Restricted details: where they could show, and who sees them -----------------------------

# The Ministry of Labour's restricted details and file on measure 4.1.4 (demo data), and another agency's
# (made restricted in `matrix_objects_from_demo`).
MLSPP_SECRETS = ["Case 2022/144-1/031", "shelter-addresses-2022.pdf"]
OTHER_SECRETS = ["Witness W-77 is sheltered in Ganja"]
OWN_AGENCY = {"admin": True, "coordinator": True, "focal_point": True, "ngo": False, "partner": False}
STAFF = {"admin": True, "coordinator": True, "focal_point": False, "ngo": False, "partner": False}
NOBODY = dict.fromkeys(USERNAMES, False)

# case → (URL for the objects, the secrets looked for, whether each role sees them). Every role signs in;
# the anonymous visitor sees only the public summary and the sign-in page, tested below.
RESTRICTED_MATRIX = {
    "measure page, the own agency's restricted part and file": (
        lambda o: reverse("measure_detail", args=[o["consolidated_measure"].pk]),
        MLSPP_SECRETS,
        OWN_AGENCY,
    ),
    "measure page, another agency's restricted part and file": (
        lambda o: reverse("measure_detail", args=[o["other_restricted_evidence"].update.measure_id]),
        [*OTHER_SECRETS, lambda o: o["other_restricted_evidence"].original_name],
        STAFF,
    ),
    "the review page of the own agency's update": (
        lambda o: reverse("update_review", args=[o["mlspp_restricted_evidence"].update_id]),
        MLSPP_SECRETS,
        STAFF,  # the focal point may not open the review page at all
    ),
    "measures list searched for the restricted words": (
        lambda o: reverse("measure_list") + "?q=2022%2F144-1%2F031",
        MLSPP_SECRETS,
        NOBODY,
    ),
    "measures list searched for a restricted file's name": (
        lambda o: reverse("measure_list") + "?q=shelter-addresses",
        MLSPP_SECRETS,
        NOBODY,
    ),
    "coverage of a recommendation source": (
        lambda o: reverse("recommendation_coverage", args=[o["tip_source"].pk]),
        MLSPP_SECRETS[:1],
        OWN_AGENCY,
    ),
    "measures as CSV": (lambda o: reverse("measure_csv"), [*MLSPP_SECRETS, *OTHER_SECRETS], NOBODY),
    "home page": (lambda o: reverse("home"), [*MLSPP_SECRETS, *OTHER_SECRETS], NOBODY),
    "notifications": (lambda o: reverse("notification_list"), [*MLSPP_SECRETS, *OTHER_SECRETS], NOBODY),
    "dashboard": (lambda o: reverse("reporting:dashboard"), [*MLSPP_SECRETS, *OTHER_SECRETS], NOBODY),
    "public summary": (
        lambda o: reverse("public_summary", args=[o["published_plan"].code]),
        [*MLSPP_SECRETS, *OTHER_SECRETS],
        NOBODY,
    ),
}


@pytest.mark.parametrize("case", list(RESTRICTED_MATRIX))
def test_restricted_details_matrix(client, objects, case):
    """Restricted details and files: the coordinator's office and the update's own agency, nowhere else."""
    url_of, secrets, expected = RESTRICTED_MATRIX[case]
    url = url_of(objects)
    secrets = [secret(objects) if callable(secret) else secret for secret in secrets]
    wrong = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(User.objects.get(username=USERNAMES[role]))
        response = client.get(url, follow=role == "anonymous")
        content = b"".join(response.streaming_content) if response.streaming else response.content
        text = content.decode("utf-8-sig", "replace")
        shown = [secret for secret in secrets if secret in text]
        sees = expected.get(role, False)
        if sees and response.status_code == 200 and len(shown) != len(secrets):
            wrong.append(f"{role}: should see {sorted(set(secrets) - set(shown))}")
        if not sees and shown:
            wrong.append(f"{role}: sees {shown}")
    assert not wrong, f"{case} ({url}): " + "; ".join(wrong)


def test_restricted_matrix_gives_every_signed_in_role_an_answer():
    for case, (_url, _secrets, expected) in RESTRICTED_MATRIX.items():
        assert set(expected) == set(USERNAMES), case


def url_for(name, target, objects):
    if target is None:
        return reverse(name)
    if target == "import_token":
        return reverse(name, args=["not-a-token-of-this-session"])
    if target == "reset_token":
        return reverse(name, kwargs={"uidb64": "MQ", "token": "set-password"})
    obj = objects[target]
    return reverse(name, args=[obj.code if isinstance(obj, Edition) else obj.pk])


def post_data(name, objects):
    if name == "review_queue":
        update = objects["other_submitted"]
        return {"updates": [f"{update.pk}:{update.version}"]}
    if name == "update_review":
        return {"action": "approve", "note": "", "version": objects["other_submitted"].version}
    if name == "measure_consolidate":
        return {"status": "in_progress", "progress": 60, "note": "Reports disagree; the working group decided."}
    if name == "evidence_erase":
        return {"reason": "It names a victim."}
    if name == "update_comment":
        return {"text": "Could you attach the attendance lists?"}
    if name == "set_language":
        return {"language": "az", "next": "/"}
    if name == "country_switch":
        return {"country": objects["azerbaijan"].pk, "next": "/"}
    if name == "measure_revise_deadline":
        return {"new_deadline": "2024-06-30", "reason": "The Cabinet of Ministers asked for a second reading."}
    if name == "next_plan":
        return {
            "code": "NAP-2025-2029",
            "title_en": "National Action Plan 2025–2029",
            "start_year": 2025,
            "end_year": 2029,
            "measures": [objects["other_measure"].pk],
        }
    if name in ("recommendation_source_create", "recommendation_source_edit"):
        reference = "National review 2025" if name.endswith("create") else objects["recommendation_source"].reference
        return {"kind": "national", "reference": reference, "title_en": "A review"}
    if name in ("recommendation_create", "recommendation_edit"):
        recommendation = objects["answered_recommendation"]
        number = "§999" if name.endswith("create") else recommendation.number
        return {"source": recommendation.source_id, "number": number, "text_en": "Train the inspectors."}
    if name == "measure_recommendations":
        return {"recommendations": [objects["answered_recommendation"].pk]}
    if name == "api:token_issue":
        return {
            "name": "ICMPD research",
            "organisation": objects["api_token"].organisation_id,
            "scopes": ["plans", "measures"],
            "expires": "90",
            "once": "permission-matrix",
        }
    if name in ("period_close", "period_reopen"):
        return {"reason": "Late figures from a ministry."}
    return {}


@pytest.mark.parametrize("case", list(MATRIX))
def test_permission_matrix(client, objects, case):
    """One case, every role; each request runs in a transaction that is rolled back, so roles do not affect each other."""
    name, target, method, expected = MATRIX[case]
    url = url_for(name, target, objects)
    wrong = []
    for role in ROLES:
        with transaction.atomic():
            client.logout()
            if role != "anonymous":
                client.force_login(User.objects.get(username=USERNAMES[role]))
            response = getattr(client, method)(url, post_data(name, objects))
            if response.streaming:
                b"".join(response.streaming_content)  # the test client closes the file once it is read
            transaction.set_rollback(True)
        want = expected[role]
        if want == LOGIN:
            if response.status_code != 302 or not response["Location"].startswith(reverse("login")):
                wrong.append(f"{role}: got {response.status_code} {response.get('Location', '')}, expected sign-in")
        elif response.status_code != want:
            wrong.append(f"{role}: got {response.status_code}, expected {want}")
    assert not wrong, f"{case} ({method.upper()} {url}): " + "; ".join(wrong)


def _named_urls(resolver, namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _named_urls(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace, pattern.name


def test_every_url_is_in_the_matrix():
    covered = {name for name, *_ in MATRIX.values()} | {name for matrix in OTHER_MATRICES for name in matrix}
    named = {
        f"{namespace}:{name}" if namespace else name
        for namespace, name in _named_urls(get_resolver())
        if namespace not in OUTSIDE_THE_MATRIX
    }
    missing = named - covered
    assert not missing, f"add these URLs to MATRIX with the answer for every role: {sorted(missing)}"


def test_matrix_gives_every_role_an_answer():
    for case, (_, _, _, expected) in MATRIX.items():
        assert set(expected) == set(ROLES), case


# --- A second country sees nothing of the first ---------------------------------------------------

# The demo's second country (illustrative, measures/demo_data/second_country.json) and one person per role
# in it; the matrix's objects are all Azerbaijan's.
GEORGIANS = {
    "admin": "ge-admin",
    "coordinator": "coordinator-ge",
    "focal_point": "focal-ge",
    "ngo": "ngo-ge",
    "partner": "partner-ge",
}
# Pages that are the same for everyone whatever their country (sign-in, password, second factor, language),
# or that name no object: tested below for what they show rather than for their answer.
COUNTRY_FREE = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "account_settings",
    "second_factor_verify",
    "second_factor_enrol",
    "second_factor_recovery_codes",
    "second_factor_disable",
}
# Azerbaijan's published plan has a public summary for anyone, signed in or not, of any country.
PUBLIC = {"public summary of a published plan"}


@pytest.fixture
def georgians(objects):
    from tests.factories import UserFactory

    georgia = Country.objects.get(code="ge")
    UserFactory(username="ge-admin", role=User.Role.ADMIN, agency=None, countries=[georgia])
    UserFactory(
        username="ngo-ge", role=User.Role.NGO, agency=georgia.agencies.get(code="GE-DEMO-NGO"), countries=[georgia]
    )
    UserFactory(
        username="partner-ge", role=User.Role.PARTNER, agency=georgia.agencies.get(code="IOM"), countries=[georgia]
    )
    return {role: User.objects.get(username=username) for role, username in GEORGIANS.items()}


# The reporting app's pages of one plan (reporting:quality) are among them; its own cases (reports of both
# countries, forged requests) are in tests/reporting/test_countries.py.
OBJECT_CASES = [
    case
    for case, (name, target, _method, _expected) in MATRIX.items()
    if target not in (None, "import_token", "reset_token") and name not in COUNTRY_FREE and case not in PUBLIC
]


@pytest.mark.parametrize("case", OBJECT_CASES)
def test_a_person_of_another_country_is_refused_every_object(client, objects, georgians, case):
    """Every URL that names an object of Azerbaijan, for every role of Georgia: refused — 404 where the same
    role of Azerbaijan would be let in (the object is unknown to them), and never a success."""
    name, target, method, expected = MATRIX[case]
    url = url_for(name, target, objects)
    wrong = []
    for role, person in georgians.items():
        with transaction.atomic():
            client.logout()
            client.force_login(person)
            response = getattr(client, method)(url, post_data(name, objects))
            if response.streaming:
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
        allowed_at_home = expected[role] in (OK, FOUND)
        if response.status_code not in ((NOT_FOUND,) if allowed_at_home else (NOT_FOUND, FORBIDDEN)):
            wrong.append(f"{role}: got {response.status_code}")
    assert not wrong, f"{case} ({method.upper()} {url}): " + "; ".join(wrong)


# What a list, an export or a page without an object would show of Azerbaijan: its plans' codes, a body
# named only in its plans, a measure's title.
AZERBAIJAN_MARKERS = ["NAP-2020-2024", "NAP-2014-2018", "Ministry of Labour and Social Protection", "MLSPP"]
LIST_PAGES = [
    "home",
    "measure_list",
    "measure_csv",
    "review_queue",
    "recommendation_list",
    "notification_list",
    "reporting:dashboard",
    "reporting:list",
    "reporting:new",
]


@pytest.mark.parametrize("page", LIST_PAGES)
def test_a_person_of_another_country_sees_nothing_of_it_on_lists_and_exports(client, objects, georgians, page):
    url = reverse(page)
    wrong = []
    for role, person in georgians.items():
        client.logout()
        client.force_login(person)
        response = client.get(url + ("?q=4.1" if page == "measure_list" else ""))
        if response.status_code != 200:
            continue  # refused outright (the review queue for a partner): nothing shown
        content = b"".join(response.streaming_content) if response.streaming else response.content
        text = content.decode("utf-8-sig")
        shown = [marker for marker in AZERBAIJAN_MARKERS if marker in text]
        if shown:
            wrong.append(f"{role}: {shown}")
    assert not wrong, f"{page}: " + "; ".join(wrong)


def test_the_lists_markers_are_shown_to_azerbaijan(client, objects):
    # The check above would pass on an empty page: the same lists show the markers to Azerbaijan's coordinator.
    client.force_login(User.objects.get(username="coordinator"))
    home = client.get(reverse("home")).content.decode()
    csv = b"".join(client.get(reverse("measure_csv")).streaming_content).decode("utf-8-sig")
    assert "NAP-2020-2024" in home
    assert "NAP-2020-2024" in csv and "Ministry of Labour and Social Protection" in csv
