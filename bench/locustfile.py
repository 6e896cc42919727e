"""Locust people for bench/load_test.py: a working day's mix on the demo plans.

Each simulated person works in the browser as the focal point of the Ministry of Labour, the
coordinator's office and an international partner do, with weights that give about
70 % reads (home, the measures list, a measure's page), 20 % saves of an update,
5 % reviews (the agency submits, the coordinator returns it with a note) and 5 % report requests.

Run it through bench/load_test.py, which prepares the server and the data; it reads the drafts
to work on from NAP_LOAD_PLAN (a JSON file the preparation writes).
"""

import json
import os
import random
import re
from itertools import count
from pathlib import Path

from locust import HttpUser, between, task
from locust.clients import HttpSession

PLAN = json.loads(Path(os.environ["NAP_LOAD_PLAN"]).read_text()) if os.environ.get("NAP_LOAD_PLAN") else {}
PASSWORD = PLAN.get("password", "")
VERSION = re.compile(r'name="version" value="(\d+)"')
PERIOD = re.compile(r'<select[^>]*name="period"[^>]*>.*?<option value="(\d+)"[^>]*selected', re.S)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_next_person = count()


def sign_in(session: HttpSession, username: str, totp_key: str | None = None):
    page = session.get("/accounts/login/", name="sign-in page")
    token = CSRF.search(page.text).group(1)
    response = session.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        name="sign in",
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise RuntimeError(f"{username} could not sign in: {response.status_code}")
    if totp_key:
        from django_otp.oath import totp

        page = session.get("/accounts/two-factor/", name="sign-in: code page")
        code = str(totp(bytes.fromhex(totp_key))).zfill(6)
        response = session.post(
            "/accounts/two-factor/",
            {"csrfmiddlewaretoken": CSRF.search(page.text).group(1), "code": code, "next": "/"},
            name="sign-in: code",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{username} could not enter the code: {response.status_code}")


class Person(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        events = self.environment.events.request
        # One person, three desks: each keeps its own session, as three browsers would.
        self.focal = self.client
        self.coordinator = HttpSession(base_url=self.host, request_event=events, user=self)
        self.partner = HttpSession(base_url=self.host, request_event=events, user=self)
        number = next(_next_person)
        coordinator = PLAN["coordinators"][number % len(PLAN["coordinators"])]
        sign_in(self.focal, PLAN["focal"])
        sign_in(self.coordinator, coordinator["username"], coordinator["key"])
        sign_in(self.partner, PLAN["partner"])
        drafts = PLAN["drafts"]
        self.draft = drafts[number % len(drafts)]

    # --- reads: 70 -------------------------------------------------------------------------

    @task(20)
    def home(self):
        random.choice([self.focal, self.partner, self.coordinator]).get("/", name="read: home")

    @task(25)
    def measure_list(self):
        session = random.choice([self.focal, self.partner])
        params = random.choice([{}, {"status": "in_progress"}, {"overdue": "yes"}, {"q": "victims"}, {"page": "2"}])
        session.get("/measures/", params=params, name="read: measures list")

    @task(25)
    def measure_page(self):
        random.choice([self.focal, self.partner]).get(
            f"/measures/{random.choice(PLAN['measures'])}/", name="read: measure page"
        )

    # --- writes -----------------------------------------------------------------------------

    def _save(self, action: str):
        url = f"/updates/{self.draft}/edit/"
        form = self.focal.get(url, name="write: update form")
        version, period = VERSION.search(form.text), PERIOD.search(form.text)
        if form.status_code != 200 or not version or not period:
            return None
        return self.focal.post(
            url,
            {
                "csrfmiddlewaretoken": CSRF.search(form.text).group(1),
                "version": version.group(1),
                "period": period.group(1),
                "status": "in_progress",
                "progress": random.randint(10, 90),
                "narrative": "Training sessions for labour inspectors on indicators of forced labour. "
                * random.randint(1, 4),
                "figures": f"Inspectors trained: {random.randint(10, 80)}",
                "action": action,
            },
            name=f"write: update {action}",
            allow_redirects=False,
        )

    @task(20)
    def save_update(self):
        self._save("save")

    @task(5)
    def review(self):
        """The agency submits its update, the coordinator's office returns it with a note."""
        if self._save("submit") is None:
            return
        url = f"/updates/{self.draft}/review/"
        page = self.coordinator.get(url, name="review: review page")
        version = VERSION.search(page.text)
        if page.status_code != 200 or not version:
            return
        self.coordinator.post(
            url,
            {
                "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
                "version": version.group(1),
                "note": "Please add the number of inspectors trained in each region.",
                "action": "return",
            },
            name="review: return with a note",
            allow_redirects=False,
        )

    @task(5)
    def request_report(self):
        form = self.partner.get("/reports/new/", name="report: form")
        self.partner.post(
            "/reports/new/",
            {
                "csrfmiddlewaretoken": CSRF.search(form.text).group(1),
                "kind": "area",
                "edition": PLAN["edition"],
                "area": random.choice(PLAN["areas"]),
                "language": random.choice(["en", "az", "ru"]),
                "format": random.choice(["pdf", "xlsx", "csv"]),
            },
            name="report: request",
            allow_redirects=False,
        )
