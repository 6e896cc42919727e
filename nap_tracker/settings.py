"""Settings for NAP Tracker, read from the environment.

With nothing set, the application runs on its embedded defaults: a SQLite file,
Celery tasks executed in-process, files on local disk, e-mail printed to the console.
`.env.example` documents every variable.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from nap_tracker.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("NAP_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random value (or DEBUG=true for local development only)."
        )
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "nap_tracker",
    "measures",
    "reporting",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in person's saved language and time zone win over the cookie and the browser.
    "nap_tracker.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "nap_tracker.urls"
WSGI_APPLICATION = "nap_tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL, or a SQLite file under var/ (the embedded default).
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'nap_tracker.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL cannot be understood: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The embedded default keeps its database under var/; make sure the folder exists.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

AUTH_USER_MODEL = "nap_tracker.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Languages: the interface and the plan's texts exist in English, Azerbaijani and Russian.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [
    ("en", _("English")),
    ("az", _("Azerbaijani")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["nap_tracker.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Baku")

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
# Uploaded evidence lives outside the web root and is served only through views
# that check permission; MEDIA_URL is never routed.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    },
}

# Evidence files: largest accepted upload, in bytes (default 10 MB).
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
# Django refuses whole requests above this; several evidence files fit in one form.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# E-mail: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "NAP Tracker <no-reply@nap-tracker.local>")

# Celery: with REDIS_URL unset, tasks run in-process (the embedded default).
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_TIMEZONE = TIME_ZONE

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

# Importing a plan from a spreadsheet: the largest file accepted, in bytes.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024)

# Reminders: a digest to each focal point and NGO this many days before a period's updates are
# due, an overdue digest the day after (for periods that fell due at most REMINDER_OVERDUE_WINDOW_DAYS
# ago, so a new installation does not chase years-old periods), and a weekly digest to coordinators.
REMINDER_DAYS_BEFORE = env_int("REMINDER_DAYS_BEFORE", 7)
REMINDER_OVERDUE_WINDOW_DAYS = env_int("REMINDER_OVERDUE_WINDOW_DAYS", 30)
REMINDER_HOUR = env_int("REMINDER_HOUR", 8)
CELERY_BEAT_SCHEDULE = {
    "reporting-reminders": {
        "task": "measures.tasks.send_reporting_reminders",
        "schedule": crontab(hour=REMINDER_HOUR, minute=0),
    },
    "review-digest": {
        "task": "measures.tasks.send_review_digest",
        "schedule": crontab(hour=REMINDER_HOUR, minute=15, day_of_week="mon"),
    },
}

# Security settings that matter once the site is served over HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY") else None
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Demo data
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "nap-demo-2026")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every layout step at INFO; its warnings (a refused URL) still show.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Reports: limits of one rendering, and the sweep that re-queues reports whose worker died.
REPORT_TASK_TIME_LIMIT = env_int("REPORT_TASK_TIME_LIMIT", 300)
REPORT_TASK_SOFT_TIME_LIMIT = env_int("REPORT_TASK_SOFT_TIME_LIMIT", 270)
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 3)
REPORT_QUEUED_RESEND_AFTER = env_int("REPORT_QUEUED_RESEND_AFTER", 900)
CELERY_BEAT_SCHEDULE["requeue-stuck-reports"] = {"task": "reporting.tasks.requeue_stuck_reports", "schedule": 300.0}

# --- Security headers (docs/security.md, "Headers") ---
# A Content Security Policy on every response: scripts, styles, images and fonts only from this
# site's own files, never inline; no plugins; no framing; forms post only back to the site.
# Evidence downloads set their own, stricter policy (nothing loads, nothing runs).
INSTALLED_APPS += ["csp"]
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    # Signed-in pages and every download: Cache-Control no-store (static files keep their caching).
    "nap_tracker.middleware.NoStoreMiddleware",
    # Permission refusals (403, and the 404 an outsider gets) go to the audit trail with the URL.
    "nap_tracker.middleware.AuditRefusalsMiddleware",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
# A form posted without its CSRF token is refused as before, and the refusal goes to the audit trail.
CSRF_FAILURE_VIEW = "nap_tracker.views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
