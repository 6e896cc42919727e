"""The administrator's form for issuing an API token."""

import secrets
from datetime import datetime, time, timedelta

from django import forms
from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api import tokens
from api.models import ApiToken
from api.scopes import Scope
from nap_tracker import permissions
from nap_tracker.models import Agency, User

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ON_A_DATE = "date"
LIFETIME_DAYS = (30, 90, 180, 365, 730)
DEFAULT_LIFETIME_DAYS = tokens.DEFAULT_LIFETIME.days
MAX_LIFETIME_DAYS = tokens.MAX_LIFETIME.days
# A sent form is remembered this long, so that sending it again (the browser's reload) issues no second token.
SENT_FORM_SECONDS = 24 * 3600


def _lifetime_label(days: int) -> str:
    if days % 365 == 0:
        years = days // 365
        return ngettext("%(count)s year", "%(count)s years", years) % {"count": years}
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        label = f"{person} ({person.get_username()})"
        return f"{label} · {person.agency}" if person.agency_id else label


class TokenIssueForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_(
            "What the token is for, so that you recognise it in the list, e.g. “IOM Baku monitoring dashboard”."
        ),
        error_messages={
            "required": _("Give the token a name that says what it is for."),
            "max_length": _("Keep the name under %(limit_value)d characters."),
        },
    )
    person = PersonChoiceField(
        label=_("Person"),
        required=False,
        queryset=User.objects.none(),
        help_text=_(
            "The token reads what this person reads on the site. Administrators and the coordinator's office "
            "are not listed: they sign in with a second factor, which a token would go around."
        ),
        error_messages={"invalid_choice": _("That person cannot hold a token. Choose one from the list.")},
    )
    organisation = forms.ModelChoiceField(
        label=_("Or an organisation"),
        required=False,
        queryset=Agency.objects.none(),
        help_text=_(
            "The token reads what the organisation's people read: an international organisation as a partner, "
            "an NGO as an NGO, any other body as its focal point."
        ),
        error_messages={"invalid_choice": _("That organisation cannot hold a token. Choose one from the list.")},
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the token may read. Choose only what its holder needs."),
        error_messages={
            "required": _("Choose at least one scope: what the token may read."),
            "invalid_choice": _("Choose the scopes from the list."),
        },
    )
    expires = forms.ChoiceField(
        label=_("Expires"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose when the token expires."),
            "invalid_choice": _("Choose when the token expires from the list."),
        },
    )
    expires_on = forms.DateField(
        label=_("Expiry date"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("The token works until the end of this day, at most two years from today."),
        error_messages={"invalid": _("Enter a real date, e.g. 2027-06-30.")},
    )
    # A random value per form shown: the same form sent twice issues one token (see `claim`).
    once = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={"required": _("Open the form again and fill it in: this one is incomplete.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            User.objects.filter(is_active=True)
            .exclude(role__in=permissions.SECOND_FACTOR_ROLES)
            .select_related("agency")
            .order_by("last_name", "first_name", "username")
        )
        self.fields["organisation"].queryset = Agency.objects.filter(active=True).order_by("name_en", "code")
        today = timezone.localdate()
        self.fields["expires"].choices = [
            *[
                (
                    str(days),
                    _("%(lifetime)s, until %(date)s")
                    % {"lifetime": _lifetime_label(days), "date": date_format(today + timedelta(days=days))},
                )
                for days in LIFETIME_DAYS
            ],
            (ON_A_DATE, _("On a date I choose")),
        ]
        if not self.is_bound:
            self.initial.setdefault("expires", str(DEFAULT_LIFETIME_DAYS))
            self.initial.setdefault("once", secrets.token_urlsafe(24))

    def clean(self):
        cleaned = super().clean()
        person, organisation = cleaned.get("person"), cleaned.get("organisation")
        # Only when both fields held a valid choice (or none): a refused choice already has its message.
        if "person" in cleaned and "organisation" in cleaned:
            for field, message in tokens.holder_problem(person=person, organisation=organisation).items():
                self.add_error(field, message)
        expires = cleaned.get("expires")
        if expires == ON_A_DATE:
            self._clean_date(cleaned.get("expires_on"))
        elif expires:
            cleaned["expires_at"] = timezone.now() + timedelta(days=int(expires))
            # A date left in its field while a lifetime is chosen is not read, so it cannot be wrong.
            self.errors.pop("expires_on", None)
        return cleaned

    def _clean_date(self, day):
        if "expires_on" in self.errors:
            return
        today = timezone.localdate()
        if day is None:
            self.add_error("expires_on", _("Choose the date the token expires."))
        elif day < today:
            self.add_error("expires_on", _("This date has passed. Choose a date from today on."))
        elif day > today + timedelta(days=MAX_LIFETIME_DAYS):
            self.add_error(
                "expires_on",
                _("A token lasts at most two years: choose %(date)s or earlier.")
                % {"date": date_format(today + timedelta(days=MAX_LIFETIME_DAYS))},
            )
        else:
            # Valid through the chosen day, in the administrator's time zone.
            self.cleaned_data["expires_at"] = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))

    def claim(self) -> bool:
        """True the first time this form is sent; False when it was sent before (its token was issued then)."""
        return cache.add(self._sent_key(), True, SENT_FORM_SECONDS)

    def unclaim(self) -> None:
        """The token was not issued after all: the same form may be sent again, corrected."""
        cache.delete(self._sent_key())

    def _sent_key(self) -> str:
        return f"api-token-form-sent:{self.cleaned_data['once']}"

    def token_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "person": data.get("person"),
            "organisation": data.get("organisation"),
            "scopes": data["scopes"],
            "expires_at": data["expires_at"],
        }


# Where the service's errors go on the form.
FIELD_FOR_SERVICE_ERROR = {"expires_at": "expires"}


class TokenListFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("active", _("Active tokens")), ("all", _("All tokens"))],
        error_messages={"invalid_choice": _("Choose active or all tokens.")},
    )
