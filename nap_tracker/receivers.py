"""What the audit trail listens to: signing in and out, lock-outs, second factors, changes to people.

Connected in `NapTrackerConfig.ready()`. Refusals are recorded by `AuditRefusalsMiddleware`,
downloads by their views, approvals and returns by the review services.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from nap_tracker import audit
from nap_tracker.models import User
from nap_tracker.signals import second_factor_changed

Action = audit.Action

# The fields of a person whose changes a security officer must see, and the event each one makes.
WATCHED = {
    "role": Action.USER_ROLE_CHANGED,
    "agency_id": Action.USER_AGENCY_CHANGED,
    "is_active": Action.USER_ACTIVE_CHANGED,
}
NOT_IN_HISTORY = {"last_login"}
SECOND_FACTOR_ACTIONS = {
    "enrolled": Action.SECOND_FACTOR_ENROLLED,
    "reset": Action.SECOND_FACTOR_RESET,
    "disabled": Action.SECOND_FACTOR_DISABLED,
    "recovery_code_used": Action.RECOVERY_CODE_USED,
}


def _attempted_username(credentials: dict) -> str:
    """The username someone tried to sign in with. Django has already masked the password; we never read it."""
    return _clean_username(credentials.get(User.USERNAME_FIELD) or credentials.get("username"))


def _clean_username(value) -> str:
    """Text that fits the trail: PostgreSQL stores no NUL character, and a username is at most 150 long."""
    return str(value or "").replace("\x00", "")[:150]


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def on_signed_in(sender, request, user, **kwargs):
    audit.record(Action.SIGNED_IN, request=request, actor=user, target=user)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    username = _attempted_username(credentials)
    known = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    audit.record(
        Action.SIGN_IN_FAILED,
        request=request,
        target=known or username,
        detail={"username": username, "known_account": known is not None},
    )


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def on_signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(Action.SIGNED_OUT, request=request, actor=user, target=user)


@receiver(second_factor_changed, dispatch_uid="audit_second_factor")
def on_second_factor_changed(sender, user, action, actor=None, request=None, **kwargs):
    audit.record(
        SECOND_FACTOR_ACTIONS.get(action, Action.SECOND_FACTOR_RESET),
        request=request,
        actor=actor or user,
        target=user,
        detail={"change": action},
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """django-axes' user_locked_out: too many failed sign-ins for an account or from an address."""
    username = _clean_username(username)
    known = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    audit.record(
        Action.LOCKED_OUT,
        request=request,
        target=known or username,
        detail={"username": username, "ip_address": ip_address},
    )


try:  # django-axes, where it is installed, tells when an account or address is locked out.
    from axes.signals import user_locked_out
except ImportError:  # pragma: no cover - depends on what is installed
    pass
else:
    user_locked_out.connect(on_locked_out, dispatch_uid="audit_locked_out")


# --- Changes to people, wherever they are saved (admin, shell, import, demo) -------------------


@receiver(pre_save, sender=User, dispatch_uid="audit_user_before")
def remember_watched_fields(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._audit_before = None
    if raw or instance._state.adding or instance.pk is None:
        return
    if (
        update_fields is not None
        and set(update_fields) <= NOT_IN_HISTORY
        and not hasattr(instance, "skip_history_when_saving")
    ):
        # The last_login written at every sign-in: the history does not keep it, so no row there.
        instance.skip_history_when_saving = True
        instance._audit_skipped_history = True
    if update_fields is not None and not set(update_fields) & {"role", "agency", "agency_id", "is_active"}:
        return  # nothing watched can change: no query
    instance._audit_before = User.objects.filter(pk=instance.pk).values(*WATCHED).first()


@receiver(post_save, sender=User, dispatch_uid="audit_user_after")
def record_watched_changes(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        audit.record(
            Action.USER_CREATED,
            target=instance,
            detail={"role": instance.role, "agency": _agency_code(instance.agency_id), "active": instance.is_active},
        )
        return
    if getattr(instance, "_audit_skipped_history", False):
        # Set for this save only: simple-history's receiver has run, and later saves are kept.
        del instance.skip_history_when_saving, instance._audit_skipped_history
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if not before:
        return
    for field, action in WATCHED.items():
        old, new = before[field], getattr(instance, field)
        if old == new:
            continue
        if field == "agency_id":
            detail = {"old": _agency_code(old), "new": _agency_code(new)}
        else:
            detail = {"old": old, "new": new}
        audit.record(action, target=instance, detail=detail)


@receiver(post_delete, sender=User, dispatch_uid="audit_user_deleted")
def record_user_deleted(sender, instance, **kwargs):
    request = audit.current_request()
    actor = getattr(request, "user", None)
    if actor is not None and actor.pk == instance.pk:
        actor = audit.NOBODY  # someone deleting their own account: the event must not point at the deleted row
    audit.record(
        Action.USER_DELETED,
        request=request,
        actor=actor,
        target=instance,
        detail={"username": instance.get_username(), "role": instance.role},
    )


def _agency_code(agency_id) -> str | None:
    if agency_id is None:
        return None
    from nap_tracker.models import Agency

    return Agency.objects.filter(pk=agency_id).values_list("code", flat=True).first() or str(agency_id)
