"""Settings for the test suite: the real settings, plus what makes tests fast and strict.

DATABASE_URL and REDIS_URL still come from the environment, so CI runs the suite
against PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-secret-key-not-for-production")
os.environ.setdefault("NAP_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test"))

from nap_tracker.settings import *  # noqa: E402,F403
from nap_tracker.settings import REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Static files come from the source folders, as on a developer's machine (the production shape, with
# collectstatic and hashed names, is tested by tests/deployment/).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# The suite always runs tasks in-process unless a test starts a real worker itself.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL_FOR_WORKER_TESTS = REDIS_URL
