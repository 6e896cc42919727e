from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NapTrackerConfig(AppConfig):
    name = "nap_tracker"
    verbose_name = _("People and agencies")
