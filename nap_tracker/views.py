from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import i18n
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from nap_tracker import countries, permissions, second_factor
from nap_tracker.forms import AccountSettingsForm, SecondFactorCodeForm, SecondFactorEnrolForm
from nap_tracker.models import User


@require_POST
def set_language(request):
    """Django's language switch, and for a signed-in person the choice is saved with their account,
    so it follows them to another browser and survives signing out and in again."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response


@login_required
@require_POST
def country_switch(request):
    """The header's country switcher: the country is kept for the following pages if it is one of the
    person's (`nap_tracker.countries`); anyone else's, or nonsense, is a country that does not exist."""
    try:
        country_id = int(request.POST.get("country", ""))
    except ValueError:
        country_id = None
    if country_id is None or not countries.choose_country(request, country_id):
        permissions.refuse(request.user, visible=False)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("home")
    return redirect(next_url)


@login_required
def account_settings(request):
    form = AccountSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        language = user.language or translation.get_language_from_request(request)
        translation.activate(language)
        messages.success(request, _("Your settings are saved."))
        response = redirect("account_settings")
        if user.language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    context = {
        "form": form,
        "has_second_factor": second_factor.has_second_factor(request.user),
        "second_factor_required": permissions.must_use_second_factor(request.user),
        "recovery_codes_left": second_factor.recovery_codes_left(request.user),
    }
    return render(request, "registration/account_settings.html", context)


# --- Second factor ----------------------------------------------------------------------

FRESH_RECOVERY_CODES = "nap_fresh_recovery_codes"


def _next_url(request) -> str:
    """Where to go after the code: the page the person was sent away from, if it is on this site."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def second_factor_verify(request):
    """The second step of signing in: a code from the app, or a recovery code."""
    user = request.user
    if user.is_verified() or not second_factor.has_second_factor(user):
        return redirect(_next_url(request))
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.second_factor_verify(user=user, code=form.cleaned_data["code"], request=request)
        except second_factor.SecondFactorError as error:
            form.add_error("code", str(error))
        else:
            request.session.cycle_key()
            if isinstance(device, StaticDevice):
                left = second_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; it will not work again. %(count)s recovery code is left.",
                        "You used a recovery code; it will not work again. %(count)s recovery codes are left.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(_next_url(request))
    return render(request, "registration/second_factor_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def second_factor_enrol(request):
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code."""
    user = request.user
    if second_factor.has_second_factor(user):
        messages.info(request, _("Your second factor is already set up."))
        return redirect("account_settings")
    device = second_factor.enrolment_device(user)
    form = SecondFactorEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.second_factor_enrol(user=user, code=form.cleaned_data["code"], request=request)
        except second_factor.SecondFactorError as error:
            form.add_error("code", str(error))
        else:
            request.session.cycle_key()
            request.session[FRESH_RECOVERY_CODES] = codes
            return redirect(f"{reverse('second_factor_recovery_codes')}?{urlencode({'next': _next_url(request)})}")
    context = {
        "form": form,
        "enrolment": second_factor.enrolment_details(device),
        "required": second_factor.is_required(user),
        "next": _next_url(request),
    }
    return render(request, "registration/second_factor_enrol.html", context)


@login_required
def second_factor_recovery_codes(request):
    """New recovery codes are shown once, right after they are made; afterwards only how many are left."""
    user = request.user
    if not second_factor.has_second_factor(user):
        return redirect("second_factor_enrol")
    if request.method == "POST":
        request.session[FRESH_RECOVERY_CODES] = second_factor.recovery_codes_renew(user=user)
        messages.success(request, _("New recovery codes are made. The old ones no longer work."))
        return redirect("second_factor_recovery_codes")
    codes = request.session.pop(FRESH_RECOVERY_CODES, None)
    context = {"codes": codes, "left": second_factor.recovery_codes_left(user), "next": _next_url(request)}
    return render(request, "registration/second_factor_recovery_codes.html", context)


@login_required
def second_factor_disable(request):
    user = request.user
    if not permissions.may_turn_off_second_factor(user):
        raise PermissionDenied
    if not second_factor.has_second_factor(user):
        return redirect("account_settings")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.second_factor_disable(user=user, code=form.cleaned_data["code"], request=request)
        except second_factor.SecondFactorError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, _("The second factor is turned off. You sign in with your password only."))
            return redirect("account_settings")
    return render(request, "registration/second_factor_disable.html", {"form": form})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, and a new password chosen through the e-mailed link also lifts a sign-in pause:
    the person has shown they hold the account's mailbox, and the paused page tells them to do this."""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=self.user.get_username())
        return response
