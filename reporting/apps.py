from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reports")

    def ready(self):
        from reporting import caching

        # The dashboard's cached numbers follow every change to the plans (reporting/caching.py).
        caching.connect()
