"""The server-error page. It never touches the database: it is what people see when the database
itself is the trouble.

Django calls `handler500` inside the `except` block that caught the error, so `sys.exc_info()`
still names it: an unreachable database (PostgreSQL restarting, a failover) answers 503 "try again
in a moment" with `Retry-After`, anything else 500.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation

DATABASE_OUTAGE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


def server_error(request, template_name=None):
    error = sys.exc_info()[1]
    unavailable = isinstance(error, DATABASE_OUTAGE)
    context = {"LANGUAGE_CODE": translation.get_language() or "en", "unavailable": unavailable}
    # A plain render: no request context, so no context processor can ask the database for the user.
    body = render_to_string("errors/server_error.html", context)
    response = HttpResponse(body, status=503 if unavailable else 500)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def csrf_failure(request, reason=""):
    """A form sent without its security token — from a page left open across a sign-out, or from
    another site: written to the audit trail, and explained in the site's layout and the reader's language."""
    from nap_tracker import audit

    audit.record(
        audit.Action.PERMISSION_REFUSED,
        request=request,
        detail={"status": 403, "method": request.method, "reason": f"CSRF: {reason}"[:200]},
    )
    return render(request, "errors/csrf.html", status=403)
