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
