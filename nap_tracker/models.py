import functools
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nap_tracker.i18n import CONTENT_LANGUAGES, Translated


def validate_content_languages(value: str):
    codes = [code.strip() for code in value.split(",") if code.strip()]
    unknown = [code for code in codes if code not in CONTENT_LANGUAGES]
    if not codes or unknown:
        raise ValidationError(
            _("Give the languages as codes separated by commas, from: %(known)s."),
            params={"known": ", ".join(CONTENT_LANGUAGES)},
        )


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The time zones this machine knows. Read once per process: `zoneinfo.available_timezones()`
    opens some 600 files on every call, and the list does not change while the site runs."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str):
    if value and value not in time_zone_names():
        raise ValidationError(
            _("“%(zone)s” is not a time zone. Write it as Region/City, e.g. Asia/Baku."), params={"zone": value}
        )


class Country(models.Model):
    """The outermost scope: a country whose action plans, bodies and people the installation serves.

    Every edition and every agency belongs to a country (an international organisation may work in
    several); every person is given one country or several. What a person sees is decided by
    `nap_tracker.countries`, never by reading this model directly.
    """

    code = models.SlugField(
        _("code"), max_length=8, unique=True, help_text=_("Short unique code, e.g. az for Azerbaijan.")
    )
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_az = models.CharField(_("name (Azerbaijani)"), max_length=120, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=120, blank=True)
    name_local = models.CharField(
        _("name in its own language"), max_length=120, blank=True, help_text=_("For example Azərbaycan, Sakartvelo.")
    )
    content_languages = models.CharField(
        _("languages of content"),
        max_length=20,
        default="en",
        validators=[validate_content_languages],
        help_text=_("The languages its plans are written in, separated by commas, e.g. az,ru,en."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone], help_text=_("E.g. Asia/Baku.")
    )
    coordinator_office = models.ForeignKey(
        "Agency",
        verbose_name=_("coordinator's office"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_countries",
        help_text=_("The body that coordinates the country's action plans and reviews the updates."),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("An inactive country is hidden from everyone but the installation's administrators."),
    )

    history = HistoricalRecords()

    name = Translated("name")

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_en", "code"]

    def __str__(self):
        return str(self.name) or self.code

    @property
    def languages(self) -> tuple[str, ...]:
        """The content languages as codes, in the order given."""
        return tuple(code.strip() for code in self.content_languages.split(",") if code.strip())


class Agency(models.Model):
    """A body named in a national action plan: a ministry, a court, an NGO, an international organisation."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        STATE_BODY = "state_body", _("State body")
        JUSTICE = "justice", _("Court or prosecution")
        NGO = "ngo", _("Non-governmental organisation")
        INTERNATIONAL = "international", _("International organisation")

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("Short unique code, e.g. MLSPP."))
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    name_az = models.CharField(_("name (Azerbaijani)"), max_length=255, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    active = models.BooleanField(_("active"), default=True)
    countries = models.ManyToManyField(
        Country,
        verbose_name=_("countries"),
        related_name="agencies",
        blank=True,
        help_text=_("The countries whose plans name this body; an international organisation may work in several."),
    )

    history = HistoricalRecords()

    name = Translated("name")

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name_en", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_en="") | ~Q(name_az="") | ~Q(name_ru=""),
                name="agency_has_a_name",
                violation_error_message=_("Give the agency a name in at least one language."),
            ),
        ]

    def __str__(self):
        return str(self.name) or self.code


class NapUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", User.Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. The role decides what they may do; the agency, for whom."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("System administrator")
        COORDINATOR = "coordinator", _("National coordinator's office")
        FOCAL_POINT = "focal_point", _("Focal point of a state body")
        NGO = "ngo", _("NGO focal point")
        PARTNER = "partner", _("International partner")

    ROLES_WITHOUT_AGENCY = (Role.ADMIN, Role.COORDINATOR)

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTNER)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        help_text=_("Required for focal points, NGO focal points and partners."),
    )
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        blank=True,
        choices=[("en", "English"), ("az", "Azərbaycanca"), ("ru", "Русский")],
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Times are shown in this zone. Leave empty for the time zone of the person’s country."),
    )
    countries = models.ManyToManyField(
        Country,
        verbose_name=_("countries"),
        related_name="users",
        blank=True,
        help_text=_(
            "The countries this person works in: one for focal points, NGOs and the coordinator's office; "
            "one or several for partners. An administrator with countries administers those countries; "
            "an administrator without any administers the whole installation."
        ),
    )
    receives_digests = models.BooleanField(
        _("receives e-mail digests"),
        default=True,
        help_text=_("Reminders of updates due or overdue, and the weekly list of updates waiting for review."),
    )

    objects = NapUserManager()

    # Who changed a person's role, agency, active flag or e-mail, and when. Never the password.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["admin", "coordinator"]) | Q(agency__isnull=False),
                name="user_agency_required_for_role",
                violation_error_message=_("Focal points, NGO focal points and partners must belong to an agency."),
            ),
        ]

    def save(self, *args, **kwargs):
        # The system administrator works in Django's admin; nobody else does. The role decides both
        # ways, so a person moved to another role loses the admin site with the same save.
        is_admin = self.role == self.Role.ADMIN
        self.is_staff = is_admin
        self.is_superuser = is_admin
        if kwargs.get("update_fields") is not None and "role" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff", "is_superuser"}
        return super().save(*args, **kwargs)

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The time zone this person reads times in: their own choice, else their country's (when the person
        was loaded with it, as on every request: `nap_tracker.countries.CountryModelBackend`, and their
        countries share one), else the site's."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone or getattr(self, "country_zone", None) or settings.TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class AppendOnly(Exception):
    """An audit event was about to be changed or deleted: the trail only grows."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnly("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One security-relevant thing that happened: who, when, from where, to what. Append-only.

    Written through `nap_tracker.audit.record`. Neither the ORM nor the admin can change or delete an
    event, and on PostgreSQL a trigger refuses UPDATE and DELETE too (migration 0005) — except
    clearing `actor` when that person is deleted, since `actor_username` keeps who it was.
    """

    class Action(models.TextChoices):
        SIGNED_IN = "signed_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        LOCKED_OUT = "locked_out", _("Locked out after failed sign-ins")
        SIGNED_OUT = "signed_out", _("Signed out")
        PERMISSION_REFUSED = "permission_refused", _("Permission refused")
        EVIDENCE_DOWNLOADED = "evidence_downloaded", _("Evidence file downloaded")
        REPORT_DOWNLOADED = "report_downloaded", _("Report downloaded")
        UPDATE_APPROVED = "update_approved", _("Update approved")
        UPDATE_RETURNED = "update_returned", _("Update returned")
        USER_CREATED = "user_created", _("Person added")
        USER_DELETED = "user_deleted", _("Person deleted")
        USER_ROLE_CHANGED = "user_role_changed", _("Role changed")
        USER_AGENCY_CHANGED = "user_agency_changed", _("Agency changed")
        USER_ACTIVE_CHANGED = "user_active_changed", _("Account activated or deactivated")
        SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Second factor set up")
        SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset")
        SECOND_FACTOR_DISABLED = "second_factor_disabled", _("Second factor turned off")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        AUDIT_EXPORTED = "audit_exported", _("Audit trail exported")
        API_TOKEN_ISSUED = "api_token_issued", _("API token issued")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("what"), max_length=40, choices=Action.choices, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    path = models.CharField(_("address"), max_length=500, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["actor", "at"], name="auditevent_actor_at"),
            models.Index(fields=["object_type", "object_id"], name="auditevent_object"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} · {self.actor_username or '—'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("Audit events cannot be changed.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Audit events cannot be deleted.")
