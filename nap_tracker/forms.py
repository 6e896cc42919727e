import functools

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from nap_tracker.models import User, time_zone_names


@functools.cache
def _zone_choices() -> tuple[tuple[str, str], ...]:
    """Region/City zones in order, built once per process (see `time_zone_names`)."""
    return tuple((zone, zone.replace("_", " ")) for zone in sorted(time_zone_names()) if "/" in zone)


def time_zone_choices():
    # The first choice is translated into the reader's language, so it is made per request.
    site_zone = settings.TIME_ZONE
    return [("", _("The site’s time zone (%(zone)s)") % {"zone": site_zone}), *_zone_choices()]


class TimeZoneSelect(forms.Select):
    """The ~600 time zones written as <option>s directly: through Django's option template (one
    include per option) they took more time than all the rest of "My settings"."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        selected = mark_safe(" selected")
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], selected if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


class AccountSettingsForm(forms.ModelForm):
    """What a person may set for themselves: language, time zone, and whether digests come."""

    time_zone = forms.ChoiceField(label=_("time zone"), required=False, widget=TimeZoneSelect)

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
