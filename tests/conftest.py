import io
import os

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from nap_tracker.models import User
from tests.factories import AgencyFactory, UserFactory

IN_CI = bool(os.environ.get("CI"))


def require_service(name: str, configured: bool):
    """Skip a test that needs a real service when it is not configured — but never in CI."""
    if configured:
        return
    if IN_CI:
        pytest.fail(f"{name} is not configured, and CI must run every test against the real services.")
    pytest.skip(f"{name} not configured (set it, as .ci/run does, to run this test)")


@pytest.fixture
def agency(db):
    return AgencyFactory(code="MLSPP", name_en="Ministry of Labour and Social Protection of Population")


@pytest.fixture
def people(db, agency):
    """One person per role, as in healthchecks' alice/bob/charlie."""
    ngo = AgencyFactory(code="CLEAN-WORLD", name_en="Clean World", kind="ngo")
    partner = AgencyFactory(code="IOM", name_en="International Organization for Migration", kind="international")
    return {
        "admin": UserFactory(username="admin", role=User.Role.ADMIN, agency=None),
        "coordinator": UserFactory(username="coordinator", role=User.Role.COORDINATOR, agency=None),
        "focal_point": UserFactory(username="focal", role=User.Role.FOCAL_POINT, agency=agency),
        "ngo": UserFactory(username="ngo", role=User.Role.NGO, agency=ngo),
        "partner": UserFactory(username="partner", role=User.Role.PARTNER, agency=partner),
    }


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files of a test go to its own folder, never into the developer's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """`make test` compiles the catalogues; a bare `pytest` gets them compiled here when they are stale."""
    from pathlib import Path

    for po in Path(__file__).resolve().parent.parent.glob("locale/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            call_command("compilemessages", locale=[po.parent.parent.name], verbosity=0)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the test database reuses ids from run to run, and an entry kept
    in Redis by an earlier run (the dashboard's, keyed by plan) must not answer for another plan."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def no_session_touch_during_a_test(request, monkeypatch):
    """A signed-in request writes the session at most once a minute (`session_limits.touch`). On a busy
    machine, building a large plan between signing in and the request being counted can take longer than
    that, and the one write would be counted as the page's own queries. Tests of the session limits keep
    the real interval."""
    if request.node.path.name != "test_sessions.py":
        from nap_tracker import session_limits

        monkeypatch.setattr(session_limits, "TOUCH_EVERY_SECONDS", 24 * 3600)


@pytest.fixture(autouse=True)
def fresh_language_and_time_zone():
    """A test that switches language or time zone (a request through the middleware does) leaves no trace."""
    yield
    from django.utils import timezone, translation

    translation.deactivate()
    timezone.deactivate()


@pytest.fixture(autouse=True)
def force_login_includes_the_second_factor(monkeypatch):
    """`client.force_login(user)` stands for a complete sign-in: password and, where the person has or
    needs one, the second factor. Administrators and the coordinator's office get an authenticator
    device (made here, as they would have enrolled one), and the session is marked verified with it.

    Tests of the second step itself sign in through the sign-in form, or call `password_only_login`.
    """
    monkeypatch.setattr(Client, "force_login", _force_login_with_second_factor)


_password_only_force_login = Client.force_login


def password_only_login(client, user):
    """Signed in with the password only: the state between the sign-in form and the code page."""
    _password_only_force_login(client, user)


def _force_login_with_second_factor(client, user, backend=None):
    from nap_tracker import permissions

    _password_only_force_login(client, user, backend)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None and permissions.must_use_second_factor(user):
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture
def matrix_objects(demo):
    """The objects the permission matrix points at, for tests that walk its URLs."""
    from tests.measures.test_permission_matrix import matrix_objects_from_demo

    return matrix_objects_from_demo()
