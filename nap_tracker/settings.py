"""Settings for NAP Tracker, read from the environment.

With nothing set, the application runs on its embedded defaults: a SQLite file,
Celery tasks executed in-process, files on local disk, e-mail printed to the console.
`.env.example` documents every variable.
"""

import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from nap_tracker.env import env_admins, env_bool, env_int, env_list, env_str

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
    "api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files served from our own static files: the security policy refuses a CDN, and closed
    # ministry networks cannot reach one.
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    # First: answers /healthz and /readyz before any host check, HTTPS redirect or session, so the
    # container's own health check (http://127.0.0.1:8000/healthz) is never refused or redirected.
    "nap_tracker.health.HealthCheckMiddleware",
    # A request id for every request, and one log line per request (see LOGGING).
    "nap_tracker.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files served by the application itself, compressed, with far-future cache headers.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in person's saved language and time zone win over the cookie and the browser.
    "nap_tracker.middleware.UserPreferencesMiddleware",
    # A NUL character in a query or form is refused here with 400 (PostgreSQL cannot hold one).
    "nap_tracker.middleware.RejectNulBytesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "nap_tracker.urls"
# A form sent from a stale page gets the site's own page, in the reader's language.
CSRF_FAILURE_VIEW = "nap_tracker.errors.csrf_failure"
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
                "measures.context_processors.notifications",
                "nap_tracker.context_processors.countries",
            ],
        },
    },
]

# Database: DATABASE_URL, or a SQLite file under var/ (the embedded default).
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'nap_tracker.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            # A kept connection is checked before each request reuses it, so the application recovers
            # by itself after PostgreSQL restarts, without restarting gunicorn.
            conn_health_checks=True,
        )
    }
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL cannot be understood: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when the database cannot be reached, rather than holding a web worker for minutes.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
    # No JIT compilation of queries: it pays off on long analytical scans, not on a web page's queries,
    # where compiling cost 25-30 ms on the dashboard's budget sums for a 150 ms query (docs/performance.md).
    DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
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
        # Hashed names (app.3f2a….css) that can be cached for a year, plus gzip copies; `collectstatic`
        # writes them (the image does it at build time). See docs/decisions.md, WhiteNoise.
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if DEBUG:
    # On a developer's machine WhiteNoise serves straight from the source folders (no collectstatic);
    # it still expects STATIC_ROOT to exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Files without a hash in their name (favicon links, admin images) may be cached for an hour.
WHITENOISE_MAX_AGE = env_int("STATIC_MAX_AGE", 3600)

# Evidence files: largest accepted upload, in bytes (default 10 MB).
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
# An office document (a ZIP archive) may declare at most this many bytes unpacked: a zip bomb is refused unread.
EVIDENCE_MAX_UNPACKED_BYTES = env_int("EVIDENCE_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)
# Django refuses whole requests above this; several evidence files fit in one form.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# E-mail: printed to the console on a developer's machine (DEBUG), sent through SMTP otherwise.
CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND", CONSOLE_EMAIL_BACKEND if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
if EMAIL_BACKEND == CONSOLE_EMAIL_BACKEND and not DEBUG:
    # The console is the log: a password-reset link printed there would let anyone who reads the
    # logs take over the account.
    raise ImproperlyConfigured(
        "EMAIL_BACKEND is the console with DEBUG off: e-mails (and password-reset links) would be written "
        "to the log. Configure SMTP (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend, EMAIL_HOST…)."
    )
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
# A worker started before Redis is ready keeps trying instead of exiting (and Celery 6 will ask).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing a task while Redis is down gives up after a few seconds, so a web request is never
# held long; the report stays "queued" and the sweep sends it again (reporting/services.py).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 3,
    # A task not acknowledged (its worker was killed) goes back to the queue after this long.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
}
# Reports render on a queue of their own, so a long report never holds back reminders and e-mails.
# A worker for everything: `celery -A nap_tracker worker -Q default,reports` (make worker does).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_REPORTS_QUEUE = env_str("CELERY_REPORTS_QUEUE", "reports")
CELERY_TASK_ROUTES = {"reporting.tasks.generate_report": {"queue": CELERY_REPORTS_QUEUE}}

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache with one client per connection pool (nap_tracker/cache.py).
            "BACKEND": "nap_tracker.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Cached numbers and menus are this installation's: two installations (or a test run beside a
            # server) sharing one Redis database must never read each other's. By default the database's
            # name keeps them apart; CACHE_KEY_PREFIX names it explicitly.
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX") or Path(str(DATABASES["default"]["NAME"])).name,
        }
    }

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

# HTTPS. The application is meant to run behind a proxy that terminates TLS (nginx, a load
# balancer) and sets X-Forwarded-Proto; BEHIND_HTTPS_PROXY=true makes Django believe that header —
# set it only when such a proxy is in front, since anyone could send it otherwise.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY") else None
# Plain-HTTP requests are redirected to HTTPS (the health endpoints excepted, see nap_tracker/health.py).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
# Browsers remember to use HTTPS only for this many seconds (0 = off; a year once HTTPS is certain).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Demo data
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "nap-demo-2026")

# Logs: one line per request and per task on standard error, with the request id; as JSON when
# LOG_FORMAT=json (for a log collector), readable text otherwise. See nap_tracker/logs.py.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json; got {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "nap_tracker.logs.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "text": {"()": "nap_tracker.logs.TextFormatter"},
        "json": {"()": "nap_tracker.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
        # A server error (500) is e-mailed to ADMINS, with the traceback, when DEBUG is off.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Our own line per request replaces Django's "Not Found: …" warnings; errors still come through.
        "django.request": {"handlers": ["console", "mail_admins"], "level": "ERROR", "propagate": False},
        "django.server": {"level": "WARNING"},
        # WeasyPrint reports every layout step at INFO; its warnings (a refused URL) still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
# The worker writes through the same handlers and format as the web server.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# People who get an e-mail with the traceback of every server error: "Name <address>, …".
ADMINS = env_admins("ADMINS")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Sentry, when SENTRY_DSN is set (pip install "nap-tracker[sentry]"; the image has it).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError:
        raise ImproperlyConfigured(
            'SENTRY_DSN is set but sentry-sdk is not installed: pip install "nap-tracker[sentry]".'
        ) from None
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        # Errors only; no personal data (names, addresses, IPs) leaves the installation, and neither do
        # what people typed (an update's restricted details) or the values in the code at the moment of
        # the error: Sentry gets the stack trace, not the form.
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=0.0,
    )


# Reports: limits of one rendering, and the sweep that re-queues reports whose worker died.
REPORT_TASK_TIME_LIMIT = env_int("REPORT_TASK_TIME_LIMIT", 300)
REPORT_TASK_SOFT_TIME_LIMIT = env_int("REPORT_TASK_SOFT_TIME_LIMIT", 270)
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 3)
REPORT_QUEUED_RESEND_AFTER = env_int("REPORT_QUEUED_RESEND_AFTER", 900)
# A report "running" this long has lost its worker (killed, machine restarted): the sweep, every
# REPORT_SWEEP_SECONDS, gives it back to the queue.
REPORT_STUCK_AFTER = env_int("REPORT_STUCK_AFTER", REPORT_TASK_TIME_LIMIT + 60)
REPORT_SWEEP_SECONDS = env_int("REPORT_SWEEP_SECONDS", 300)
# Who issues the reports: named with its logo on every PDF's cover. One name for all languages, or a
# name per language (REPORT_ISSUER_NAME_AZ, _RU, _EN) where it is translated; unset, the cover says
# "National coordinator's office" in the report's language. The logo is a PNG, JPEG or SVG file.
REPORT_ISSUER_NAME = env_str("REPORT_ISSUER_NAME")
REPORT_ISSUER_NAMES = {
    code: env_str(f"REPORT_ISSUER_NAME_{code.upper()}", REPORT_ISSUER_NAME) for code in ("en", "az", "ru")
}
REPORT_ISSUER_LOGO = env_str("REPORT_ISSUER_LOGO")
if REPORT_ISSUER_LOGO and not Path(REPORT_ISSUER_LOGO).is_file():
    raise ImproperlyConfigured(f"REPORT_ISSUER_LOGO names no file: {REPORT_ISSUER_LOGO!r}.")
if REPORT_ISSUER_LOGO and Path(REPORT_ISSUER_LOGO).suffix.lower() not in {".png", ".jpg", ".jpeg", ".svg"}:
    raise ImproperlyConfigured(f"REPORT_ISSUER_LOGO must be a PNG, JPEG or SVG file; got {REPORT_ISSUER_LOGO!r}.")
# A plan with more measures than this is too large to print whole within the time limit (about 15
# measures a second; a 2,468-page PDF ran out of time and memory): its request form offers the
# report of each area or the summary edition (numbers and charts, without every narrative) instead.
REPORT_FULL_PDF_MAX_MEASURES = env_int("REPORT_FULL_PDF_MAX_MEASURES", 1500)
CELERY_BEAT_SCHEDULE["requeue-stuck-reports"] = {
    "task": "reporting.tasks.requeue_stuck_reports",
    "schedule": float(REPORT_SWEEP_SECONDS),
}

# --- Sign-in, second factor and sessions (docs/security.md) ---
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
# Axes first: it refuses a locked-out username + address before the password is even checked.
# Django's model backend, loading the person's countries with the person (nap_tracker/countries.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "nap_tracker.countries.CountryModelBackend"]
_after_auth = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE.insert(_after_auth, "django_otp.middleware.OTPMiddleware")
_after_messages = MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1
MIDDLEWARE[_after_messages:_after_messages] = [
    # Signs out after SESSION_IDLE_MINUTES without activity and SESSION_MAX_HOURS in all.
    "nap_tracker.middleware.SessionLimitsMiddleware",
    # Administrators and the coordinator's office enrol a second factor; anyone who has one enters a code.
    "nap_tracker.middleware.SecondFactorMiddleware",
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

# Wrong passwords: AXES_FAILURE_LIMIT in a row for one username from one address lock that pair
# for AXES_COOLOFF_MINUTES. Never by address alone: a ministry's staff share one outgoing address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "nap_tracker.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "nap_tracker.signin.client_ip"
AXES_USERNAME_CALLABLE = "nap_tracker.signin.client_username"
AXES_SENSITIVE_PARAMETERS = ["password"]
# Addresses (or networks, 10.0.0.0/8) of the reverse proxies in front of the site: only a request
# coming from one of them may name the client's address in X-Forwarded-For.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

# Second factor: TOTP from an authenticator app, with single-use recovery codes.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "NAP Tracker")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
RECOVERY_CODE_COUNT = 10

# Sessions: signed out after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after
# signing in, whatever happens; the cookie also ends when the browser closes.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)

# --- Security headers (docs/security.md, "Headers") ---
# A Content Security Policy on every response: scripts, styles, images and fonts only from this
# site's own files, never inline; no plugins; no framing; forms post only back to the site.
# Evidence downloads set their own, stricter policy (nothing loads, nothing runs).
INSTALLED_APPS += ["csp"]
# Outside every middleware that may answer by itself (the 400 for a NUL character, the sign-in
# paused page, the second factor's redirects), so that those answers carry both headers too.
_after_static = MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
MIDDLEWARE[_after_static:_after_static] = [
    "csp.middleware.CSPMiddleware",
    # Signed-in pages and every download: Cache-Control no-store (static files keep their caching).
    "nap_tracker.middleware.NoStoreMiddleware",
]
MIDDLEWARE += [
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
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- The partners' read-only API under /api/v1/ (api/; README, "API") ---
REST_FRAMEWORK = {
    # A partner's token (Authorization: Bearer …) or, for someone signed in in the browser, the session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Read-only, and only what the token's scopes allow; every view names the scope it needs.
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasTokenScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Amounts and indicator values as strings ("1500.00"): exact, never rounded by a float.
    "COERCE_DECIMAL_TO_STRING": True,
    # At most API_RATE_LIMIT requests per token (or signed-in person); beyond it 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenRateThrottle"],
}
# Requests a token may make: "<number>/<second|minute|hour|day>". A full sync of a 10,000-measure plan at
# 500 rows a page is about 200 requests.
API_RATE_LIMIT = env_str("API_RATE_LIMIT") or "300/minute"
if not re.fullmatch(r"[1-9]\d*/(second|minute|hour|day)", API_RATE_LIMIT):
    raise ImproperlyConfigured(
        f"API_RATE_LIMIT must be a number of requests per second, minute, hour or day, e.g. 300/minute; "
        f"got {API_RATE_LIMIT!r}."
    )
SPECTACULAR_SETTINGS = {
    "TITLE": "NAP Tracker API",
    # How to authenticate, page, choose a language and sync: the first thing the docs page shows.
    "DESCRIPTION": (BASE_DIR / "api" / "description.md").read_text(encoding="utf-8"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The description holds no data, but it is for the partners who hold a token or sign in.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for the languages a text may be given in, wherever a `…_language` field names one.
    "ENUM_NAME_OVERRIDES": {"LanguageEnum": [code for code, _name in LANGUAGES]},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from validator.swagger.io: the page loads nothing from outside the site.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True, "persistAuthorization": False},
}
