"""API tokens: issued by the system administrator and shown once, kept hashed, refused when wrong, expired,
revoked or their holder is inactive; read-only, within their scopes, and never more than their holder
reads in the browser.

The API's own endpoints are tested elsewhere; here two small views stand for them (`probe/…`), declared
as every endpoint is: token or session authentication, `HasTokenScope`, and a `required_scope`.
"""

import hashlib
import json
from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from api import tokens
from api.authentication import OrganisationPrincipal, TokenAuthentication
from api.models import ApiToken
from api.permissions import HasTokenScope, api_user
from api.scopes import Scope
from measures.models import StatusUpdate
from nap_tracker import audit
from nap_tracker import permissions as rules
from nap_tracker.models import AuditEvent, User
from tests.conftest import password_only_login
from tests.factories import AgencyFactory, StatusUpdateFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


# --- Two endpoints standing for the API's -------------------------------------------------------


class ProbeView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [HasTokenScope]
    schema = AutoSchema()


class MeasuresProbe(ProbeView):
    required_scope = Scope.MEASURES

    def get(self, request):
        user = api_user(request)
        return Response(
            {
                "username": user.get_username(),
                "role": user.role,
                "agency": user.agency_id,
                "staff": rules.is_staff_role(user),
                "may_edit_measure": rules.may_edit_measure(user),
            }
        )

    def post(self, request):  # never reached: the API is read-only
        return Response({"written": True})

    put = patch = delete = post


class UpdatesProbe(ProbeView):
    """The updates the caller may see, and the restricted details among them, as the pages decide."""

    required_scope = Scope.UPDATES

    def get(self, request):
        user = api_user(request)
        updates = rules.visible_updates(user, StatusUpdate.objects.order_by("pk"))
        return Response(
            {
                "updates": [update.narrative for update in updates],
                "restricted": [
                    update.restricted_details for update in updates if rules.may_see_restricted(user, update)
                ],
            }
        )


urlpatterns = [
    path("probe/measures/", MeasuresProbe.as_view()),
    path("probe/updates/", UpdatesProbe.as_view()),
    path("", include("nap_tracker.urls")),
]

MEASURES = "/probe/measures/"
UPDATES = "/probe/updates/"


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def issue(people, *, person=None, organisation=None, scopes=(Scope.MEASURES,), days=365):
    return tokens.token_issue(
        by=people["admin"],
        name="Monitoring dashboard",
        person=person,
        organisation=organisation,
        scopes=list(scopes),
        expires_at=timezone.now() + timedelta(days=days),
    )


def form_data(**changes):
    data = {"name": "IOM Baku dashboard", "scopes": ["measures", "updates"], "expires": "365", "once": "form-1"}
    return {key: value for key, value in (data | changes).items() if value is not None}


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["admin"])
    return client


@pytest.fixture
def iom(people):
    return people["partner"].agency


# --- Issuing: the token shown once, its hash kept ------------------------------------------------


def test_issuing_shows_the_token_once_and_keeps_only_its_hash(admin_client, iom):
    response = admin_client.post(reverse("api:token_issue"), form_data(organisation=iom.pk))

    assert response.status_code == 200
    secret = response.context["secret"]
    token = ApiToken.objects.get()
    start, prefix, key = secret.split("_", 2)
    assert (start, prefix) == ("nap", token.prefix)
    assert len(key) >= 43  # 32 random bytes
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert token.secret_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = json.dumps(list(ApiToken.objects.values().get().values()), default=str)
    assert key not in stored
    assert (token.organisation, token.person, token.scopes) == (iom, None, ["measures", "updates"])
    assert timedelta(days=364) < token.expires_at - timezone.now() <= timedelta(days=365)
    # Nowhere afterwards: not in the list, the revoke page, the admin or the audit trail.
    for url in (
        reverse("api:token_list"),
        reverse("api:token_revoke", args=[token.pk]),
        reverse("admin:api_apitoken_change", args=[token.pk]),
    ):
        page = admin_client.get(url).content.decode()
        assert token.prefix in page
        assert key not in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_TOKEN_ISSUED)
    assert event.actor.username == "admin"
    assert event.detail["prefix"] == token.prefix
    assert event.detail["holder"] == f"organisation:{iom.code}"
    assert key not in json.dumps(event.detail)


def test_the_same_form_sent_twice_issues_one_token(admin_client, iom):
    admin_client.post(reverse("api:token_issue"), form_data(organisation=iom.pk))
    again = admin_client.post(reverse("api:token_issue"), form_data(organisation=iom.pk))

    assert again.status_code == 400
    assert "This form was sent already" in again.content.decode()
    assert ApiToken.objects.count() == 1


def test_the_form_offers_a_year_by_default_and_a_fresh_form_each_time(admin_client):
    first = admin_client.get(reverse("api:token_issue"))
    second = admin_client.get(reverse("api:token_issue"))

    assert first.context["form"]["expires"].value() == "365"
    assert first.context["form"]["once"].value() != second.context["form"]["once"].value()
    page = first.content.decode()
    for scope, description in Scope.choices:
        assert f'value="{scope}"' in page
        assert str(description) in page


def test_a_chosen_date_is_valid_to_the_end_of_that_day(admin_client, iom):
    day = timezone.localdate() + timedelta(days=10)
    response = admin_client.post(
        reverse("api:token_issue"), form_data(organisation=iom.pk, expires="date", expires_on=day.isoformat())
    )

    assert response.status_code == 200
    expires = timezone.localtime(ApiToken.objects.get().expires_at)
    assert (expires.date(), expires.hour, expires.minute) == (day + timedelta(days=1), 0, 0)


def test_a_date_left_in_its_field_does_not_count_when_a_lifetime_is_chosen(admin_client, iom):
    response = admin_client.post(
        reverse("api:token_issue"), form_data(organisation=iom.pk, expires="30", expires_on="not a date")
    )

    assert response.status_code == 200
    assert timedelta(days=29) < ApiToken.objects.get().expires_at - timezone.now() <= timedelta(days=30)


def test_a_person_receives_a_token(admin_client, people):
    response = admin_client.post(reverse("api:token_issue"), form_data(person=people["ngo"].pk))

    assert response.status_code == 200
    assert ApiToken.objects.get().person == people["ngo"]


BAD_FORMS = {
    "no scope": (form_data(organisation="IOM", scopes=None), "scopes", "Choose at least one scope"),
    "both holders": (form_data(organisation="IOM", person="partner"), "organisation", "not both"),
    "no holder": (form_data(), "person", "Choose the person or the organisation"),
    "expiry in the past": (
        form_data(organisation="IOM", expires="date", expires_on="2020-01-31"),
        "expires_on",
        "This date has passed",
    ),
    "expiry beyond two years": (
        form_data(organisation="IOM", expires="date", expires_on="2099-01-31"),
        "expires_on",
        "at most two years",
    ),
    "a date asked for but not given": (form_data(organisation="IOM", expires="date"), "expires_on", "Choose the date"),
    "a date no calendar has": (
        form_data(organisation="IOM", expires="date", expires_on="2026-13-45"),
        "expires_on",
        "Enter a real date",
    ),
    "a year too large for a date": (
        form_data(organisation="IOM", expires="date", expires_on="99999-01-01"),
        "expires_on",
        "Enter a real date",
    ),
    "a lifetime not offered": (form_data(organisation="IOM", expires="100000"), "expires", "from the list"),
    "a scope that does not exist": (form_data(organisation="IOM", scopes=["write"]), "scopes", "from the list"),
    "a person id that is no number": (form_data(person="abc"), "person", "Choose one from the list"),
    "an organisation id too large": (
        form_data(organisation="99999999999999999999999"),
        "organisation",
        "Choose one from the list",
    ),
    "the coordinator as holder": (form_data(person="coordinator"), "person", "Choose one from the list"),
    "an inactive person as holder": (form_data(person="inactive"), "person", "Choose one from the list"),
    "no name": (form_data(organisation="IOM", name="   "), "name", "Give the token a name"),
    "a name too long": (form_data(organisation="IOM", name="x" * 500), "name", "Keep the name under"),
    "no form id": (form_data(organisation="IOM", once=None), "once", "Open the form again"),
}


@pytest.mark.parametrize("case", list(BAD_FORMS))
def test_bad_input_on_the_form_is_explained_and_nothing_is_saved(admin_client, people, case):
    data, field, message = BAD_FORMS[case]
    UserFactory(username="inactive", role=User.Role.PARTNER, agency=people["partner"].agency, is_active=False)
    names = {"IOM": people["partner"].agency.pk}
    data = dict(data)
    if "organisation" in data:
        data["organisation"] = names.get(data["organisation"], data["organisation"])
    if data.get("person") in ("partner", "coordinator", "inactive"):
        data["person"] = User.objects.get(username=data["person"]).pk

    response = admin_client.post(reverse("api:token_issue"), data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert "Nothing was saved" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_ISSUED).exists()


def test_the_form_and_its_errors_are_described_for_screen_readers(admin_client):
    from tests.measures.test_form_a11y import Page

    assert not Page(admin_client.get(reverse("api:token_issue")).content.decode()).dangling()
    response = admin_client.post(
        reverse("api:token_issue"), {"name": "", "person": "abc", "expires": "date", "once": "x"}
    )
    page = Page(response.content.decode())

    assert not page.dangling()
    assert {"#id_name", "#id_person", "#id_scopes", "#id_expires_on"} <= set(page.summary_links)
    for link in page.summary_links:
        assert link[1:] in page.ids, link


def test_service_refuses_a_holder_who_must_use_a_second_factor(people):
    with pytest.raises(ValidationError) as refused:
        issue(people, person=people["coordinator"])
    assert "second factor" in str(refused.value.message_dict["person"])
    assert not ApiToken.objects.exists()


def test_service_refuses_an_inactive_organisation_and_a_past_expiry(people, iom):
    iom.active = False
    iom.save()
    with pytest.raises(ValidationError) as refused:
        issue(people, organisation=iom, days=-1)
    assert set(refused.value.message_dict) == {"organisation", "expires_at"}


def test_only_the_administrator_issues_and_revokes(people, iom):
    token, _secret = issue(people, organisation=iom)
    for role in ("coordinator", "focal_point", "ngo", "partner"):
        with pytest.raises(PermissionDenied):
            tokens.token_issue(
                by=people[role],
                name="Mine",
                organisation=iom,
                scopes=["measures"],
                expires_at=timezone.now() + timedelta(days=30),
            )
        with pytest.raises(PermissionDenied):
            tokens.token_revoke(by=people[role], token=token)
    assert ApiToken.objects.count() == 1
    assert ApiToken.objects.get().revoked_at is None


# --- Using a token --------------------------------------------------------------------------------


def test_the_token_reads_as_its_person(client, people):
    _token, secret = issue(people, person=people["partner"])

    response = client.get(MEASURES, **bearer(secret))

    assert response.status_code == 200
    assert response.json()["username"] == "partner"
    assert response.json()["role"] == "partner"


def refused_token(people, case):
    """The Authorization header of each refused case, and the words the answer must hold."""
    token, secret = issue(people, person=people["partner"])
    prefix = token.prefix
    if case == "wrong secret":
        return f"Bearer nap_{prefix}_{'A' * 43}", "not known"
    if case == "unknown prefix":
        return f"Bearer nap_{'0' * 12}_{secret.split('_', 2)[2]}", "not known"
    if case == "not a token":
        return "Bearer letmein", "not an API token"
    if case == "a token thousands of characters long":
        return "Bearer nap_" + "a" * 5000, "not an API token"
    if case == "no token after Bearer":
        return "Bearer", "No token after"
    if case == "a token with a space":
        return f"Bearer {secret} extra", "no spaces"
    if case == "expired":
        ApiToken.objects.filter(pk=token.pk).update(
            created_at=timezone.now() - timedelta(days=40), expires_at=timezone.now() - timedelta(days=1)
        )
        return f"Bearer {secret}", "expired on"
    if case == "revoked":
        tokens.token_revoke(by=people["admin"], token=token)
        return f"Bearer {secret}", "revoked"
    if case == "inactive person":
        User.objects.filter(pk=people["partner"].pk).update(is_active=False)
        return f"Bearer {secret}", "may no longer use it"
    if case == "person who now must use a second factor":
        User.objects.filter(pk=people["partner"].pk).update(role=User.Role.COORDINATOR, agency=None)
        return f"Bearer {secret}", "may no longer use it"
    raise AssertionError(case)


REFUSED = [
    "wrong secret",
    "unknown prefix",
    "not a token",
    "a token thousands of characters long",
    "no token after Bearer",
    "a token with a space",
    "expired",
    "revoked",
    "inactive person",
    "person who now must use a second factor",
]


@pytest.mark.parametrize("case", REFUSED)
def test_a_token_that_does_not_work_is_answered_401_saying_why(client, people, case):
    header, words = refused_token(people, case)

    response = client.get(MEASURES, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert words in response.json()["detail"]


def test_an_inactive_organisations_token_is_answered_401(client, people, iom):
    _token, secret = issue(people, organisation=iom)
    iom.active = False
    iom.save()

    response = client.get(MEASURES, **bearer(secret))

    assert response.status_code == 401
    assert "no longer active" in response.json()["detail"]


def test_a_token_in_a_header_that_is_not_ascii_is_answered_401(client):
    response = client.get(MEASURES, HTTP_AUTHORIZATION="Bearer nap_ä".encode().decode("latin-1"))

    assert response.status_code == 401


def test_no_credentials_is_answered_401_with_the_bearer_challenge(client):
    response = client.get(MEASURES)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_authenticate_token_gives_the_token_or_none(people):
    token, secret = issue(people, person=people["partner"])

    assert tokens.authenticate_token(secret) == token
    assert tokens.authenticate_token(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert tokens.authenticate_token("") is None


def test_a_token_without_the_scope_is_answered_403_naming_it(client, people):
    _token, secret = issue(people, person=people["partner"], scopes=[Scope.MEASURES])

    assert client.get(MEASURES, **bearer(secret)).status_code == 200
    response = client.get(UPDATES, **bearer(secret))

    assert response.status_code == 403
    assert "“updates”" in response.json()["detail"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_only_reads(client, people, method):
    _token, secret = issue(people, person=people["partner"])

    with_token = getattr(client, method)(MEASURES, {}, **bearer(secret))
    without = getattr(client, method)(MEASURES, {})

    for response in (with_token, without):
        assert response.status_code == 405
        assert "written" not in response.content.decode()


def test_head_and_options_are_reads(client, people):
    _token, secret = issue(people, person=people["partner"])

    assert client.head(MEASURES, **bearer(secret)).status_code == 200
    assert client.options(MEASURES, **bearer(secret)).status_code == 200


def test_last_use_is_noted_at_most_once_a_minute(client, people):
    token, secret = issue(people, person=people["partner"])
    assert token.last_used_at is None

    client.get(MEASURES, **bearer(secret), REMOTE_ADDR="203.0.113.7")
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    assert token.last_used_ip == "203.0.113.7"

    with CaptureQueriesContext(connection) as queries:
        client.get(MEASURES, **bearer(secret), REMOTE_ADDR="203.0.113.8")
    # The token with its person and agency; no write: it was noted less than a minute ago.
    assert [q["sql"].split()[0] for q in queries] == ["SELECT"], [q["sql"] for q in queries]
    token.refresh_from_db()
    assert (token.last_used_at, token.last_used_ip) == (first_use, "203.0.113.7")

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.get(MEASURES, **bearer(secret), REMOTE_ADDR="203.0.113.8")
    token.refresh_from_db()
    assert token.last_used_at > first_use
    assert token.last_used_ip == "203.0.113.8"


def test_two_requests_arriving_together_note_the_use_once(people):
    """Both loaded the token before either wrote: the UPDATE's own condition lets only the first write."""
    token, secret = issue(people, person=people["partner"])
    stale = ApiToken.objects.get(pk=token.pk)
    tokens.token_check(secret, ip_address="203.0.113.1")

    with CaptureQueriesContext(connection) as queries:
        tokens._note_use(stale, now=timezone.now(), ip_address="203.0.113.2")

    assert len(queries) == 1  # tried, and changed nothing
    assert ApiToken.objects.get(pk=token.pk).last_used_ip == "203.0.113.1"


# --- An organisation's token reads as its people would ------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "role"),
    [("international", "partner"), ("ngo", "ngo"), ("ministry", "focal_point"), ("justice", "focal_point")],
)
def test_an_organisations_token_acts_with_the_role_its_kind_gives(client, people, kind, role):
    agency = AgencyFactory(code=f"ORG-{kind}", kind=kind)
    token, secret = issue(people, organisation=agency)

    response = client.get(MEASURES, **bearer(secret))

    assert response.status_code == 200
    assert response.json() == {
        "username": f"token:{token.prefix}",
        "role": role,
        "agency": agency.pk,
        "staff": False,
        "may_edit_measure": False,
    }


def test_an_organisations_token_sees_no_other_agencys_work_in_progress_nor_its_restricted_details(client, people):
    ministry = people["focal_point"].agency
    iom = people["partner"].agency
    StatusUpdateFactory(agency=ministry, state="approved", narrative="Approved", restricted_details="Shelter address")
    StatusUpdateFactory(agency=ministry, state="draft", narrative="Own draft")
    StatusUpdateFactory(agency=AgencyFactory(code="MOJ"), state="submitted", narrative="Other's")
    _t, ministry_secret = issue(people, organisation=ministry, scopes=[Scope.UPDATES])
    _t, iom_secret = issue(people, organisation=iom, scopes=[Scope.UPDATES])

    as_ministry = client.get(UPDATES, **bearer(ministry_secret)).json()
    as_iom = client.get(UPDATES, **bearer(iom_secret)).json()

    # As the ministry's focal point sees them in the browser: its own work, and what is approved.
    assert as_ministry == {"updates": ["Approved", "Own draft"], "restricted": ["Shelter address", ""]}
    # As a partner: approved updates only, without restricted details.
    assert as_iom == {"updates": ["Approved"], "restricted": []}


def test_an_organisations_token_is_named_in_the_audit_trail_by_its_prefix(people, iom):
    token, _secret = issue(people, organisation=iom)

    event = audit.record(audit.Action.PERMISSION_REFUSED, actor=OrganisationPrincipal(token=token, agency=iom))

    assert event.actor is None
    assert event.actor_username == f"token:{token.prefix}"


# --- In the browser: the session, as far as the person may use the site ---------------------------------


def test_a_signed_in_partner_reads_every_scope_in_the_browser(client, people):
    client.force_login(people["partner"])

    assert client.get(MEASURES).status_code == 200
    assert client.get(UPDATES).status_code == 200
    # A session's write is refused too (the test client passes the CSRF check, as the browser's form would).
    assert client.post(MEASURES, {}).status_code == 405


def test_a_verified_coordinator_reads_in_the_browser(client, people):
    client.force_login(people["coordinator"])

    assert client.get(MEASURES).json()["role"] == "coordinator"


def test_a_coordinator_who_has_not_entered_the_code_reads_nothing(client, people):
    password_only_login(client, people["coordinator"])

    response = client.get(MEASURES)

    assert response.status_code != 200  # the site sends them to the code page first
    assert b"coordinator" not in response.content


def test_has_token_scope_refuses_a_session_without_the_second_factor(people):
    """Whatever the middleware does: the permission itself asks for the verified session."""
    coordinator = people["coordinator"]
    factory = APIRequestFactory()
    answers = {}
    for verified in (False, True):
        request = factory.get(MEASURES)
        coordinator.is_verified = lambda verified=verified: verified  # as django_otp's middleware sets it
        request.user = coordinator
        answers[verified] = MeasuresProbe.as_view()(request)

    assert answers[False].status_code == 403
    assert "authenticator app" in str(answers[False].data["detail"])
    assert answers[True].status_code == 200


def test_an_inactive_persons_session_reads_nothing(people):
    partner = people["partner"]
    partner.is_active = False
    request = APIRequestFactory().get(MEASURES)
    request.user = partner

    assert MeasuresProbe.as_view()(request).status_code == 401


def test_a_view_without_a_declared_scope_is_closed_to_tokens(people):
    class Undeclared(ProbeView):
        def get(self, request):
            return Response({"read": True})

    _token, secret = issue(people, person=people["partner"], scopes=list(Scope.values))
    with_token = APIRequestFactory().get("/undeclared/", **bearer(secret))
    in_the_browser = APIRequestFactory().get("/undeclared/")
    in_the_browser.user = people["partner"]

    assert Undeclared.as_view()(with_token).status_code == 403
    assert Undeclared.as_view()(in_the_browser).status_code == 200


def test_a_view_needing_no_scope_is_open_to_every_token(people):
    class Index(ProbeView):
        required_scope = None

        def get(self, request):
            return Response({"read": True})

    _token, secret = issue(people, person=people["partner"], scopes=[Scope.AGENCIES])

    assert Index.as_view()(APIRequestFactory().get("/index/", **bearer(secret))).status_code == 200


# --- The administrator's pages ------------------------------------------------------------------------


def test_the_list_shows_active_tokens_and_all_on_request(admin_client, people, iom):
    active, _s = issue(people, organisation=iom)
    revoked, _s = issue(people, person=people["ngo"])
    tokens.token_revoke(by=people["admin"], token=revoked)
    expired, _s = issue(people, person=people["partner"])
    ApiToken.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - timedelta(days=40), expires_at=timezone.now() - timedelta(days=1)
    )

    shown = admin_client.get(reverse("api:token_list")).context["page"].object_list
    everything = admin_client.get(reverse("api:token_list"), {"show": "all"})

    assert list(shown) == [active]
    assert set(everything.context["page"].object_list) == {active, revoked, expired}
    page = everything.content.decode()
    for word in ("Active", "Revoked", "Expired", "International Organization for Migration"):
        assert word in page


def test_a_junk_filter_value_is_explained_and_active_tokens_shown(admin_client, people, iom):
    token, _s = issue(people, organisation=iom)

    response = admin_client.get(reverse("api:token_list"), {"show": "<script>", "page": "x"})

    assert response.status_code == 200
    assert "Choose active or all tokens" in response.content.decode()
    assert list(response.context["page"].object_list) == [token]


def test_the_list_runs_the_same_queries_for_three_tokens_as_for_thirty(admin_client, people, iom):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse("api:token_list"), {"show": "all"}).status_code == 200
        return len(queries)

    for n in range(3):
        issue(people, person=people["partner"] if n % 2 else None, organisation=None if n % 2 else iom)
    few = count()
    for n in range(27):
        issue(people, person=people["ngo"] if n % 2 else None, organisation=None if n % 2 else iom)
    many = count()

    # The session, the signed-in person, their authenticator device, the countries an installation administrator
    # may look at (nap_tracker.countries), the page's count, the page of tokens with their holders and agencies,
    # the notifications badge's count.
    assert few == many == 7, few


def test_revoking_asks_first_then_the_token_stops_working(admin_client, client, people, iom):
    token, secret = issue(people, organisation=iom)
    question = admin_client.get(reverse("api:token_revoke", args=[token.pk]))
    assert question.status_code == 200
    assert "Revoke the token" in question.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None

    response = admin_client.post(reverse("api:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == people["admin"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_TOKEN_REVOKED)
    assert (event.actor, event.detail["prefix"]) == (people["admin"], token.prefix)
    api = client.__class__()
    assert api.get(MEASURES, **bearer(secret)).status_code == 401

    again = admin_client.post(reverse("api:token_revoke", args=[token.pk]), follow=True)
    assert "was revoked already" in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED).count() == 1


def test_revoking_a_token_that_does_not_exist_is_404(admin_client):
    assert admin_client.get(reverse("api:token_revoke", args=[999999])).status_code == 404


def test_the_administrator_finds_the_token_pages_from_every_page(admin_client, client, people):
    assert reverse("api:token_list") in admin_client.get(reverse("account_settings")).content.decode()
    client.force_login(people["coordinator"])
    assert reverse("api:token_list") not in client.get(reverse("account_settings")).content.decode()


def test_the_admin_shows_tokens_but_issues_changes_and_deletes_none(admin_client, people, iom):
    token, _s = issue(people, organisation=iom)
    model_admin = admin.site._registry[ApiToken]

    assert admin_client.get(reverse("admin:api_apitoken_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()
    assert token.prefix in page
    assert token.secret_hash not in page
    assert admin_client.get(reverse("admin:api_apitoken_add")).status_code == 403
    request = APIRequestFactory().get("/")
    request.user = people["admin"]
    assert not model_admin.has_change_permission(request, token)
    assert not model_admin.has_delete_permission(request, token)


def test_the_api_description_says_to_send_a_bearer_token():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(patterns=urlpatterns[:2]).get_schema(request=None, public=True)

    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    assert {"apiToken": []} in schema["paths"]["/probe/measures/"]["get"]["security"]
