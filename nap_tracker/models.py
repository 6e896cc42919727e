import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nap_tracker.i18n import Translated


def validate_time_zone(value: str):
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(zone)s” is not a time zone. Write it as Region/City, e.g. Asia/Baku."), params={"zone": value}
        )


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
        help_text=_("Times are shown in this zone. Leave empty for the site’s time zone."),
    )
    receives_digests = models.BooleanField(
        _("receives e-mail digests"),
        default=True,
        help_text=_("Reminders of updates due or overdue, and the weekly list of updates waiting for review."),
    )

    objects = NapUserManager()

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
        """The time zone this person reads times in: their own choice, else the site's."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)
