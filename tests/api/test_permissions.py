"""Every API URL × every role. The API reads: every signed-in role gets the same data (what the site's pages
show everyone), an anonymous caller gets 401 or 403 and never data, and nothing can be written.

`API_MATRIX` is one of the site's matrices (tests/measures/test_permission_matrix.py), whose test fails when
a URL is missing from all of them.
"""

from django.urls import reverse

from measures.models import StatusUpdate
from nap_tracker.models import User

# As in tests/measures/test_permission_matrix.py, which imports this module's matrix (so not the other way round).
ROLES = ["admin", "coordinator", "focal_point", "ngo", "partner", "anonymous"]
USERNAMES = {"admin": "admin", "coordinator": "coordinator", "focal_point": "focal", "ngo": "ngo", "partner": "partner"}

OK, LOGIN, NOT_FOUND = 200, "login", 404
REFUSED = "refused"  # 401 with a Bearer challenge, or 403: no data either way


def readers(code=OK, anonymous=REFUSED):
    return dict.fromkeys(ROLES[:-1], code) | {"anonymous": anonymous}


# URL name → (what to put in the URL, the answer per role)
API_MATRIX = {
    "api:edition-list": (None, readers()),
    "api:edition-detail": ("published_plan", readers()),
    "api:edition-summary": ("published_plan", readers()),
    "api:area-list": (None, readers()),
    "api:area-detail": ("area", readers()),
    "api:period-list": (None, readers()),
    "api:period-detail": ("closed_period", readers()),
    "api:agency-list": (None, readers()),
    "api:agency-detail": ("agency", readers()),
    "api:measure-list": (None, readers()),
    "api:measure-detail": ("other_measure", readers()),
    "api:update-list": (None, readers()),
    "api:update-detail": ("approved_update", readers()),
    "api:schema": (None, readers()),
    # A page for people in a browser: someone not signed in is sent to sign in, as on every page of the site.
    "api:docs": (None, readers(anonymous=LOGIN)),
}

# Work in progress is nobody's to read through the API, not even its own agency's.
NOBODY = {
    "a draft": ("api:update-detail", "mlspp_draft"),
    "a submitted update": ("api:update-detail", "mlspp_submitted"),
}


def url_of(name, target, objects):
    if target is None:
        return reverse(name)
    obj = objects[target]
    if target == "area":
        obj = objects["other_measure"].area
    if target == "agency":
        obj = objects["approved_update"].agency
    return reverse(name, args=[getattr(obj, "code", None) if name.startswith("api:edition") else obj.pk])


def answer(client, role, url, method="get"):
    client.logout()
    if role != "anonymous":
        client.force_login(User.objects.get(username=USERNAMES[role]))
    return getattr(client, method)(url)


def test_api_matrix(client, matrix_objects):
    matrix_objects["area"] = matrix_objects["agency"] = None  # read from other objects in url_of
    wrong = []
    for name, (target, expected) in API_MATRIX.items():
        url = url_of(name, target, matrix_objects)
        for role in ROLES:
            response = answer(client, role, url)
            want = expected[role]
            if want == REFUSED:
                # No data: only the reason (in JSON, or YAML for the schema).
                if response.status_code not in (401, 403) or not response.content.lstrip(b'{"').startswith(b"detail"):
                    wrong.append(f"{name} {role}: got {response.status_code} {response.content[:80]!r}")
            elif want == LOGIN:
                if response.status_code != 302 or not response["Location"].startswith(reverse("login")):
                    wrong.append(f"{name} {role}: got {response.status_code}, expected sign-in")
            elif response.status_code != want:
                wrong.append(f"{name} {role}: got {response.status_code}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_anonymous_is_refused_and_told_how_to_authenticate(client, db):
    response = client.get(reverse("api:measure-list"))
    assert response.status_code in (401, 403) and "results" not in response.json()
    if response.status_code == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_work_in_progress_is_nobodys_through_the_api(client, matrix_objects):
    wrong = []
    for case, (name, target) in NOBODY.items():
        update = matrix_objects[target]
        assert update.state != StatusUpdate.State.APPROVED
        url = reverse(name, args=[update.pk])
        for role in ROLES[:-1]:
            status = answer(client, role, url).status_code
            if status != NOT_FOUND:
                wrong.append(f"{case} {role}: got {status}")
    assert not wrong, "\n".join(wrong)


def test_nothing_can_be_written(client, matrix_objects):
    url = reverse("api:measure-detail", args=[matrix_objects["other_measure"].pk])
    for role in ("admin", "coordinator", "partner"):
        for method in ("post", "put", "patch", "delete"):
            status = answer(client, role, url, method).status_code
            assert status in (403, 405), (role, method, status)


def test_the_matrix_names_every_api_url_of_this_module():
    from django.urls import URLPattern

    from api.urls import urlpatterns

    assert {f"api:{p.name}" for p in urlpatterns if isinstance(p, URLPattern)} == set(API_MATRIX)
