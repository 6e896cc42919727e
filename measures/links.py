"""Absolute links for e-mails, made in one place."""

from django.conf import settings
from django.urls import reverse


def measure_url(measure_id: int) -> str:
    """The measure's page, as a full address to put in an e-mail."""
    return settings.SITE_URL.rstrip("/") + reverse("measure_detail", args=[measure_id])
