from nap_tracker import countries as scoping


class _Switcher:
    """The header's country switcher, read only when the template shows it: nothing (and no query) for a
    person with one country, one small query for a person with several."""

    def __init__(self, request):
        self.request = request

    def __iter__(self):
        return iter(self.countries)

    def __bool__(self):
        return bool(self.countries)

    @property
    def countries(self):
        if not hasattr(self, "_countries"):
            self._countries = scoping.switchable_countries(self.request)
        return self._countries

    @property
    def current_id(self):
        return scoping.current_country_id(self.request)


def countries(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "second_factor_pending", False):
        return {}
    # Read from the person's own countries, which come with the user row: no query.
    return {"country_switcher": _Switcher(request), "installation_admin": scoping.is_installation_admin(user)}
