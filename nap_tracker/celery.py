"""The Celery application. With REDIS_URL unset, tasks run in-process (see settings)."""

import os

from celery import Celery

from nap_tracker.logs import connect_task_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nap_tracker.settings")

app = Celery("nap_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Every task line carries the id of the request that queued it.
connect_task_signals()
