import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from nap_tracker.models import User


def time_zone_choices():
    site_zone = settings.TIME_ZONE
    return [("", _("The site’s time zone (%(zone)s)") % {"zone": site_zone})] + [
        (zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones()) if "/" in zone
    ]


class AccountSettingsForm(forms.ModelForm):
    """What a person may set for themselves: language, time zone, and whether digests come."""

    time_zone = forms.ChoiceField(label=_("time zone"), required=False)

    class Meta:
        model = User
        fields = ["language", "time_zone", "receives_digests"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()
        self.fields["time_zone"].help_text = User._meta.get_field("time_zone").help_text
        self.fields["language"].choices = [("", _("As the browser asks"))] + [
            choice for choice in self.fields["language"].choices if choice[0]
        ]


class SecondFactorCodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


class SecondFactorEnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        help_text=_("After scanning, your app shows a 6-digit code for NAP Tracker. Enter it here."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
