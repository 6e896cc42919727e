"""Each signed-in person reads the site in their own language and time zone."""

from django.conf import settings
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Activate the signed-in person's saved language and time zone.

    Goes after AuthenticationMiddleware (it needs `request.user`) and LocaleMiddleware (it
    overrides what the cookie or the browser asked for). Anonymous visitors keep the
    cookie / Accept-Language choice and the site's time zone.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language in self.languages:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            timezone.activate(user.zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


class RejectNulBytesMiddleware:
    """Refuse a request whose query or form carries a NUL character, before any view sees it.

    No person types one; PostgreSQL cannot store or compare text holding it, so any field that
    reached a query would end in a server error. One answer here covers every filter and form,
    including those still to be written.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request.GET) or (request.method == "POST" and _holds_nul(request.POST)):
            from django.http import HttpResponseBadRequest
            from django.utils.translation import gettext as _

            return HttpResponseBadRequest(
                _("The request contains a character that is not allowed (NUL). Remove it and try again."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _holds_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())
