"""The production shape on this machine, without Docker: the processes the image starts.

gunicorn from `gunicorn.conf.py`, a Celery worker and Celery beat, with DEBUG off and the
settings of `.env.example`, against PostgreSQL and Redis. Fault tests use private instances — a
`redis-server` on a port of its own, a PostgreSQL cluster made with `initdb` in a temporary folder
— so that stopping them never disturbs the shared services the rest of the suite uses.
"""

import contextlib
import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_HOST = "nap.example.gov.az"
SECRET_KEY = "deployment-test-secret-key-" + "x" * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout} s")


def _as_postgres_user() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` system user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


# --- Private services ---------------------------------------------------------------------


class PrivateRedis:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, timeout=10, what=f"redis-server on port {self.port}")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster in a temporary folder, on a port of its own."""

    def __init__(self):
        self.port = free_port()
        # Not under pytest's folders, which only their owner may enter: the server runs as `postgres`.
        self.folder = Path(tempfile.mkdtemp(prefix="nap-test-pg-"))
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
        self.bin = Path(bins[-1]).parent if bins else None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/nap_tracker"

    def _run(self, *args):
        result = subprocess.run([*_as_postgres_user(), *args], capture_output=True, text=True, cwd="/tmp")
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:1])} failed: {result.stdout}{result.stderr}")

    def create(self):
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.folder / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self.start()
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "nap_tracker")

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-o",
            options,
            "-w",
            "-l",
            str(self.folder / "server.log"),
            "start",
        )

    def stop(self):
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def destroy(self):
        with contextlib.suppress(RuntimeError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class SharedDatabase:
    """A database of its own on the shared PostgreSQL, dropped afterwards."""

    def __init__(self, base_url: str):
        self.name = f"nap_deploy_{uuid.uuid4().hex[:10]}"
        self.base_url = base_url.rsplit("/", 1)[0]
        self.url = f"{self.base_url}/{self.name}"

    def _admin(self):
        return psycopg.connect(self.base_url + "/postgres", autocommit=True)

    def create(self):
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def destroy(self):
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- The application's processes -----------------------------------------------------------


class Stack:
    """The image's processes started from this checkout, configured like `.env.example`."""

    def __init__(self, folder: Path, *, database_url: str, redis_url: str, **overrides):
        self.folder = folder
        self.port = free_port()
        self.database_url = database_url
        self.media = folder / "media"
        self.static = folder / "static"
        self.logs = folder / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.env = self._environment(database_url=database_url, redis_url=redis_url, **overrides)
        self.processes: dict[str, subprocess.Popen] = {}

    def _environment(self, *, database_url, redis_url, **overrides) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.isupper() or k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
        for line in (ROOT / ".env.example").read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                key, value = line.split("=", 1)
                env[key] = value
        env.update(
            DJANGO_SETTINGS_MODULE="nap_tracker.settings",
            SECRET_KEY=SECRET_KEY,
            DEBUG="false",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            MEDIA_ROOT=str(self.media),
            STATIC_ROOT=str(self.static),
            NAP_VAR_DIR=str(self.folder / "var"),
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS="2",
            FORWARDED_ALLOW_IPS="127.0.0.1",
            # Nothing leaves this machine: e-mail is dropped (SMTP is what .env.example configures).
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            ADMINS="",
            LOG_FORMAT="json",
            DEMO_PASSWORD="deployment-test-password",
            PYTHONUNBUFFERED="1",
        )
        env.update({key: str(value) for key, value in overrides.items()})
        return env

    def manage(self, *args, timeout=300):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result

    def prepare(self):
        """What the image build and the migrate service do."""
        self.manage("collectstatic", "--noinput")
        self.manage("migrate", "--noinput")
        self.manage("load_demo", "--force")

    def _start(self, name: str, command: list[str], **env):
        with open(self.logs / f"{name}.log", "ab") as log:  # the process keeps its own copy of the handle
            self.processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**self.env, **{k: str(v) for k, v in env.items()}},
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group, so that killing it kills its children too (as a container stop would).
                start_new_session=True,
            )
        return self.processes[name]

    def start_web(self):
        self._start("web", [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"])
        wait_until(lambda: self.status("/healthz") == 200, timeout=60, what="gunicorn answering /healthz")

    def start_worker(self, name="worker", **env):
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nap_tracker",
            "worker",
            "--queues=default,reports",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            "--hostname",
            f"{name}-{uuid.uuid4().hex[:6]}@%h",
        ]
        return self._start(name, command, **env)

    def start_beat(self, name="beat", **env):
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nap_tracker",
            "beat",
            "--loglevel=INFO",
            f"--schedule={self.folder / 'celerybeat-schedule'}",
        ]
        return self._start(name, command, **env)

    def kill(self, name: str, sig=signal.SIGKILL):
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop_all(self):
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def json_lines(self, name: str) -> list[dict]:
        lines = []
        for line in self.log(name).splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    lines.append(json.loads(line))
        return lines

    # --- HTTP, as a browser behind the TLS-terminating proxy would ---

    def request(self, method, path, *, body=None, headers=None, https=True, host=PUBLIC_HOST, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        all_headers = {"Host": host, **({"X-Forwarded-Proto": "https"} if https else {}), **(headers or {})}
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            # Closed on a timeout too: a socket left to the garbage collector fails the test that happens to
            # be running when it is collected (warnings are errors).
            connection.close()
        return response, content

    def status(self, path, **kwargs) -> int:
        try:
            return self.request("GET", path, https=False, host="127.0.0.1", timeout=5, **kwargs)[0].status
        except OSError:
            return 0

    def db(self):
        return psycopg.connect(self.database_url, autocommit=True)


class Browser:
    """Cookies and CSRF by hand: the session cookie is Secure, and we speak HTTP to gunicorn as the proxy does."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.cookies: dict[str, str] = {}
        self.last = None

    def _headers(self, extra=None):
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _remember(self, response):
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, rest = value.split("=", 1)
                self.cookies[name] = rest.split(";", 1)[0]

    def get(self, path, **kwargs):
        response, content = self.stack.request(
            "GET", path, headers=self._headers(kwargs.pop("headers", None)), **kwargs
        )
        self._remember(response)
        self.last = response
        return response, content.decode("utf-8", errors="replace")

    def post(self, path, data: dict, **kwargs):
        origin = f"https://{PUBLIC_HOST}"
        headers = self._headers(
            {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + path}
        )
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
        response, content = self.stack.request(
            "POST", path, body=urlencode(fields, doseq=True), headers=headers, **kwargs
        )
        self._remember(response)
        self.last = response
        return response, content.decode("utf-8", errors="replace")

    def sign_in(self, username: str, password: str = "deployment-test-password"):
        self.get("/accounts/login/")
        response, page = self.post("/accounts/login/", {"username": username, "password": password})
        assert response.status == 302, f"sign-in as {username} failed ({response.status}): {page[:2000]}"
        return response


def select_value(page: str, field: str, option_text: str) -> str:
    """The value of the <option> of <select name=field> whose text contains option_text."""
    select = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no <select name={field}> on the page"
    for value, text in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select.group(1), re.S):
        if option_text in unescape(text):
            return value
    raise AssertionError(f"no option {option_text!r} in {field}")
