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
