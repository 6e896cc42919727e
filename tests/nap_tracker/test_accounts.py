import re

import pytest
from django.core import mail
from django.urls import reverse

from nap_tracker.models import User

pytestmark = pytest.mark.django_db


def test_password_reset_by_email(client, people):
    client.post(reverse("password_reset"), {"email": "focal@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Qurum-2026-yeni", "new_password2": "Qurum-2026-yeni"}
    )
    assert response.status_code == 302
    assert User.objects.get(username="focal").check_password("Qurum-2026-yeni")


def test_unknown_address_gets_the_same_answer_and_no_mail(client, people):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change_needs_the_old_password(client, people):
    client.force_login(people["focal_point"])
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "Qurum-2026-yeni", "new_password2": "Qurum-2026-yeni"},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert User.objects.get(username="focal").check_password("pass-word-123")
