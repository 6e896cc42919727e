from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = _("Action plans")

    def ready(self):
        # Connects the signals that drop the list filter's cached menu choices (measures/filters.py) and
        # give the list's kept content a new version (measures/list_cache.py), in every process that may
        # change a plan, an area or an agency, not only the web's.
        from measures import (
            filters,  # noqa: F401
            list_cache,
        )

        list_cache.connect()
