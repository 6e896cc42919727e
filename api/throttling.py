"""How often a partner's program may ask: a number of requests per token in a sliding window, answered
`429 Too Many Requests` with `Retry-After` beyond it.

One program syncing a plan must not slow the site for the people using it: the limit is per token (per
person for a browser session), so one busy client never uses up another's. The count is kept in the
shared cache (Redis in a deployment), so every web process counts the same requests. When the cache cannot
be reached the request is served and the miss logged: a rate limit that fails would otherwise turn a
cache outage into an API outage.
"""

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from nap_tracker.signin import client_ip

logger = logging.getLogger(__name__)


class PerTokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        # Read at each request rather than once at import, so a deployment's setting (and a test's) holds.
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        token = request.auth
        if token is not None and getattr(token, "pk", None) is not None:
            ident = f"token-{token.pk}"
        elif request.user is not None and getattr(request.user, "pk", None) is not None:
            ident = f"person-{request.user.pk}"
        else:
            ident = f"address-{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        # `get_rate` is read in __init__; read it again so a changed setting takes effect at once.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception:
            logger.warning("The API's rate limit could not be checked: the cache cannot be reached", exc_info=True)
            return True
