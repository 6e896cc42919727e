"""Absolute links for e-mails, made in one place."""

from django.conf import settings


def measure_url(measure_id: int) -> str:
    """The measure's page. Written out by hand until the measure pages land; then reverse("measure_detail")."""
    return f"{settings.SITE_URL.rstrip('/')}/measures/{measure_id}/"
