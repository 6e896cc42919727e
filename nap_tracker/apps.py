from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NapTrackerConfig(AppConfig):
    name = "nap_tracker"
    verbose_name = _("People and agencies")

    def ready(self):
        # Starts the clock of a session's limits at every sign-in.
        # The audit trail's receivers: sign-ins, sign-outs, lock-outs, second factors, changes to people.
        from nap_tracker import (
            receivers,  # noqa: F401
            session_limits,  # noqa: F401
        )
