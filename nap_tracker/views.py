from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from nap_tracker.forms import AccountSettingsForm
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
    return render(request, "registration/account_settings.html", {"form": form})


def csrf_failure(request, reason=""):
    """Django's page for a form posted without its security token, after writing the refusal to the
    audit trail: a form posted from another site, or a page left open across a sign-out."""
    from django.views.csrf import csrf_failure as django_csrf_failure

    from nap_tracker import audit

    audit.record(
        audit.Action.PERMISSION_REFUSED,
        request=request,
        detail={"status": 403, "method": request.method, "reason": f"CSRF: {reason}"[:200]},
    )
    return django_csrf_failure(request, reason=reason)
