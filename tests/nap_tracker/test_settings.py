import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from nap_tracker.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env):
    """Import the real settings module in a fresh interpreter with exactly these variables."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL"}}
    clean.update(env)
    code = "import nap_tracker.settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.TIME_ZONE)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_missing_secret_key_is_refused_when_debug_is_off(tmp_path):
    result = load_settings(DEBUG="false", NAP_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_runs_on_embedded_defaults_without_a_secret_key(tmp_path):
    result = load_settings(DEBUG="true", NAP_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "Asia/Baku"]


def test_database_and_redis_urls_switch_to_postgresql_and_a_worker(tmp_path):
    result = load_settings(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://nap:secret@db.internal:5432/nap_tracker",
        REDIS_URL="redis://cache.internal:6379/0",
        NAP_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["django.db.backends.postgresql", "False"]


def cache_prefix(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CACHE_KEY_PREFIX"}}
    clean.update(SECRET_KEY="x" * 50, REDIS_URL="redis://cache.internal:6379/0", NAP_VAR_DIR=str(tmp_path), **env)
    code = "import nap_tracker.settings as s; print(s.CACHES['default']['KEY_PREFIX'])"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_two_installations_sharing_one_redis_keep_their_cached_numbers_apart(tmp_path):
    """Cached dashboards and menus are per installation: by default the database's name tells them apart."""
    first = cache_prefix(tmp_path, DATABASE_URL="postgres://nap@db.internal:5432/nap_azerbaijan")
    second = cache_prefix(tmp_path, DATABASE_URL="postgres://nap@db.internal:5432/nap_training")
    assert (first, second) == ("nap_azerbaijan", "nap_training")
    named = cache_prefix(tmp_path, DATABASE_URL="postgres://nap@db.internal:5432/nap", CACHE_KEY_PREFIX="baku")
    assert named == "baku"


def test_a_misspelt_boolean_stops_start_up_naming_the_variable(tmp_path):
    result = load_settings(DEBUG="ture", NAP_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("Yes", True), ("1", True), ("on", True), ("false", False), ("no", False), ("0", False)],
)
def test_env_bool_reads_the_usual_words(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG") is expected


def test_blank_values_mean_the_default(monkeypatch):
    monkeypatch.setenv("FLAG", "")
    monkeypatch.setenv("NUMBER", " ")
    monkeypatch.setenv("WORD", "")
    monkeypatch.setenv("HOSTS", "")
    assert env_bool("FLAG", default=True) is True
    assert env_int("NUMBER", 25) == 25
    assert env_str("WORD", "fallback") == "fallback"
    assert env_list("HOSTS", ["localhost"]) == ["localhost"]


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be a whole number"):
        env_int("EMAIL_PORT", 25)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "nap.example.gov.az, ,localhost,")
    assert env_list("ALLOWED_HOSTS") == ["nap.example.gov.az", "localhost"]


# --- The production example --------------------------------------------------------------


def production_example(tmp_path, **overrides) -> dict:
    """The environment an administrator gets by filling in .env.example: its values, a real secret."""
    env = {k: v for k, v in os.environ.items() if not k.isupper() or k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, value = line.split("=", 1)
            env[key] = value
    env.update(
        SECRET_KEY="a-long-random-production-secret-made-by-the-administrator-1234567890",
        NAP_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="nap_tracker.settings",
        **overrides,
    )
    return env


def test_the_production_example_passes_djangos_deployment_checks(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_example(tmp_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checks_catch_a_site_without_https(tmp_path):
    """The check above can fail: without the HTTPS settings it does."""
    env = production_example(tmp_path, SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout and "security.W008" in result.stderr + result.stdout


def load_production(tmp_path, code: str, **overrides):
    return subprocess.run(
        [sys.executable, "-c", f"import nap_tracker.settings as s; {code}"],
        cwd=ROOT,
        env=production_example(tmp_path, **overrides),
        capture_output=True,
        text=True,
    )


def test_the_production_example_sends_e_mail_through_smtp_and_logs_json(tmp_path):
    result = load_production(tmp_path, "print(s.EMAIL_BACKEND, s.LOG_FORMAT, s.ADMINS, s.SECURE_PROXY_SSL_HEADER)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["django.core.mail.backends.smtp.EmailBackend", "json"]
    assert "('NAP Tracker operations', 'nap-ops@example.gov.az')" in result.stdout
    assert "HTTP_X_FORWARDED_PROTO" in result.stdout


def test_e_mail_printed_to_the_log_is_refused_outside_debug(tmp_path):
    """Password-reset links must never end up in a server's log."""
    result = load_production(tmp_path, "pass", EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    assert result.returncode != 0
    assert "password-reset links" in result.stderr


def test_without_an_e_mail_setting_a_server_uses_smtp_and_a_developer_the_console(tmp_path):
    server = load_production(tmp_path, "print(s.EMAIL_BACKEND)", EMAIL_BACKEND="")
    developer = load_settings(DEBUG="true", NAP_VAR_DIR=str(tmp_path))
    assert server.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend", server.stderr
    assert developer.returncode == 0


def test_an_unknown_log_format_stops_start_up(tmp_path):
    result = load_production(tmp_path, "pass", LOG_FORMAT="xml")
    assert result.returncode != 0 and "LOG_FORMAT must be text or json" in result.stderr


def test_admins_are_read_as_names_and_addresses(monkeypatch):
    from nap_tracker.env import env_admins

    monkeypatch.setenv("ADMINS", "Ana Aliyeva <ana@example.gov.az>, ops@example.gov.az")
    assert env_admins("ADMINS") == [("Ana Aliyeva", "ana@example.gov.az"), ("ops@example.gov.az", "ops@example.gov.az")]
    monkeypatch.setenv("ADMINS", "Ana Aliyeva")
    with pytest.raises(ImproperlyConfigured, match="ADMINS must list e-mail addresses"):
        env_admins("ADMINS")


def test_sentry_without_its_library_is_a_clear_error(tmp_path):
    (tmp_path / "no-sentry").mkdir()
    blocked = tmp_path / "no-sentry" / "sentry_sdk.py"
    blocked.write_text("raise ImportError('sentry-sdk is not installed here')\n")
    result = load_production(
        tmp_path, "pass", SENTRY_DSN="https://key@sentry.example.gov.az/1", PYTHONPATH=str(tmp_path / "no-sentry")
    )
    assert result.returncode != 0
    assert 'pip install "nap-tracker[sentry]"' in result.stderr
