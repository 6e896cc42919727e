"""The security audit trail: one function writes an event, and one finds where a request came from.

`record()` is called by the sign-in signals, the permission refusals, the download views, the
review services and the changes to people (see `nap_tracker.receivers`). An event keeps who did
it (the person, and their username as text so it survives their deletion), when, from which
address and browser, on what object, and a small JSON detail. Passwords never reach it.
"""

import ipaddress

from django.db import models

from nap_tracker.models import AuditEvent

Action = AuditEvent.Action
USER_AGENT_LENGTH = AuditEvent._meta.get_field("user_agent").max_length
# Pass as `actor` when an event must name nobody, not the request's signed-in person.
NOBODY = object()
PATH_LENGTH = AuditEvent._meta.get_field("path").max_length
REPR_LENGTH = AuditEvent._meta.get_field("object_repr").max_length


def client_ip(request) -> str | None:
    """The address the request came from, or None when it is missing or not an IP address.

    REMOTE_ADDR only: behind a reverse proxy this is the proxy's address until a trusted-proxy
    helper replaces this function (the one place that reads it).
    """
    raw = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def current_request():
    """The request being served on this thread, as simple-history's middleware keeps it, else None.

    Lets a service called from a view (approving an update) record the reviewer's address
    without every service taking the request as an argument.
    """
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def _describe(target) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk or ""), str(target)[:REPR_LENGTH]
    return "", "", str(target)[:REPR_LENGTH]


def record(action: str, *, request=None, actor=None, target=None, detail: dict | None = None) -> AuditEvent:
    """Write one audit event. `actor` defaults to the signed-in person of the request (`NOBODY`: no one).

    `target` is the object acted on (a model instance, or a text such as an attempted username);
    `detail` a JSON-serialisable dict of what else a security officer needs to read the event.
    """
    if request is None:
        request = current_request()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is NOBODY or not getattr(actor, "is_authenticated", False):
        actor = None
    username = actor.get_username() if actor is not None else ""
    if actor is not None and not isinstance(actor, models.Model):
        # An organisation's API token acts as no person (`api.authentication.OrganisationPrincipal`):
        # the event names it by its username, "token:<prefix>".
        actor = None
    object_type, object_id, object_repr = _describe(target)
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_username=username,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:USER_AGENT_LENGTH],
        path=(request.get_full_path() if request is not None else "")[:PATH_LENGTH],
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        detail=detail or {},
    )
