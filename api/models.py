"""API tokens: how a partner's program reads the API without a browser.

A token is issued by the system administrator to one person or to one organisation, carries the
scopes it may read, and expires. Only a hash of its secret is kept; the secret is shown once, when it
is issued (`api.tokens.token_issue`). Revoking keeps the row: the list and the audit trail still say
who held it and when it was last used.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.scopes import Scope
from nap_tracker.models import Agency


def validate_scopes(value) -> None:
    """A list of one or more known scopes, each once."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one scope."), code="required")
    unknown = [item for item in value if item not in Scope.values]
    if unknown:
        raise ValidationError(
            _("“%(scope)s” is not a scope."), code="invalid_choice", params={"scope": str(unknown[0])[:40]}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each scope is given once."), code="duplicate")


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now: datetime | None = None):
        """Tokens that work now: neither revoked nor expired (the holder's account is checked on use)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """One token: who holds it, what it may read, until when; and the hash of its secret, never the secret."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    name = models.CharField(
        _("name"), max_length=120, help_text=_("What the token is for, e.g. “IOM Baku monitoring dashboard”.")
    )
    # A token cannot outlive its holder: deleting the person or the organisation deletes their tokens.
    # The audit trail still keeps who issued and revoked each one.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
        null=True,
        blank=True,
    )
    organisation = models.ForeignKey(
        Agency,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
        null=True,
        blank=True,
    )
    # A list of `Scope` values. JSON rather than an array column: the embedded default runs on SQLite.
    scopes = models.JSONField(_("scopes"), default=list, validators=[validate_scopes])
    # The public part of the token (`nap_<prefix>_<secret>`): names it in lists and logs, and finds its row.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    # SHA-256 of the secret, in hex. The secret is 32 random bytes from `secrets`, not a password a person
    # chose: nobody can guess it or try a dictionary against its hash, so a slow, salted password hash
    # (PBKDF2, Argon2) would add nothing but its cost — paid on every API request, since every request
    # carries the token. A leaked table still gives no usable token.
    secret_hash = models.CharField(_("hash of the secret"), max_length=64)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        related_name="api_tokens_issued",
        null=True,
        blank=True,
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        related_name="api_tokens_revoked",
        null=True,
        blank=True,
    )
    # Written at most once a minute per token (`api.tokens.authenticate_token`): "last used" to the minute.
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(organisation__isnull=True))
                | (Q(person__isnull=True) & Q(organisation__isnull=False)),
                name="api_token_has_one_holder",
                violation_error_message=_("A token belongs to a person or to an organisation, not both."),
            ),
            models.CheckConstraint(
                condition=~Q(scopes=[]),
                name="api_token_has_a_scope",
                violation_error_message=_("Choose at least one scope."),
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="api_token_expires_after_issue",
                violation_error_message=_("A token expires after it is issued."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def holder(self):
        """The person or the organisation. Reads the foreign key: select `person` and `organisation` in lists."""
        return self.person if self.person_id else self.organisation

    def state(self, now: datetime | None = None) -> str:
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.ACTIVE

    @property
    def state_label(self) -> str:
        return self.State(self.state()).label

    @property
    def is_active(self) -> bool:
        return self.state() == self.State.ACTIVE

    @property
    def scope_choices(self) -> list[tuple[str, str]]:
        """Each scope with its description; a value no longer known shows as itself."""
        return [(value, Scope(value).label if value in Scope.values else value) for value in self.scopes]
