"""Who may do what — the one place that decides. Views, forms and tasks ask here.

Functions take the objects they judge and read only what is already loaded on them
(or one small query where a docstring says so), so a page can ask about many rows.
Outsiders get 404 (they should not learn a thing exists); read-only roles get 403.

This module lives in `nap_tracker` and never imports `measures` or `reporting`: it works
on the objects they pass in.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from nap_tracker.models import User

Role = User.Role
STAFF_ROLES = (Role.ADMIN, Role.COORDINATOR)
REPORTING_ROLES = (Role.FOCAL_POINT, Role.NGO)
# The parts an agency plays in a measure that let its people report on it, by role.
PARTS_FOR_ROLE = {
    Role.FOCAL_POINT: ("executing", "recommended"),
    Role.NGO: ("partner",),
}
UPDATE_EDITABLE_STATES = ("draft", "returned")


def is_staff_role(user) -> bool:
    return user.is_authenticated and user.role in STAFF_ROLES


def is_read_only(user) -> bool:
    return user.is_authenticated and user.role == Role.PARTNER


# --- Measures ---------------------------------------------------------------------------


def may_view_measures(user) -> bool:
    return user.is_authenticated and user.is_active


def may_edit_measure(user) -> bool:
    return is_staff_role(user)


def may_revise_deadline(user) -> bool:
    """Moving a measure's deadline (with a reason kept beside it) is the coordinator's office's decision."""
    return is_staff_role(user) and user.is_active


def may_manage_periods(user) -> bool:
    """Closing a reporting period to new and changed updates, and reopening it, is the coordinator's office's."""
    return is_staff_role(user) and user.is_active


def agency_parts(user, measure) -> set[str]:
    """The parts the user's agency plays in the measure. Uses `measure.assignments` (prefetch it for lists)."""
    if not user.is_authenticated or not user.agency_id:
        return set()
    return {a.part for a in measure.assignments.all() if a.agency_id == user.agency_id}


def agency_is_active(user) -> bool:
    """Whether the user's agency still reports. Reads `user.agency`: one query the first time on a
    request (the page header loads it anyway), none after."""
    return bool(getattr(user, "agency_id", None)) and user.agency.active


def may_report_on(user, measure) -> bool:
    """Focal points report where their agency is responsible; NGOs where theirs is a partner.
    The people of an agency the administrator made inactive no longer report."""
    allowed = PARTS_FOR_ROLE.get(getattr(user, "role", None), ())
    return bool(allowed) and bool(agency_parts(user, measure) & set(allowed)) and agency_is_active(user)


def may_add_update(user, measure, edition) -> bool:
    return may_report_on(user, measure) and edition.state == "active"


def may_consolidate_status(user) -> bool:
    """The coordinator's office may set a measure's status itself (with a note), over the bodies' reports."""
    return is_staff_role(user) and user.is_active


def may_start_next_plan(user) -> bool:
    """Drafting the next edition of a plan from this one (the measures it carries over, their new
    baselines) is the coordinator's office's work. Whether a plan may have a successor yet (its last
    year has come, or it is closed) is the plan's rule: `measures.next_plan.plan_is_ending`."""
    return is_staff_role(user) and user.is_active


def may_manage_recommendations(user) -> bool:
    """Keeping the recommendations the plans answer — their sources, their wording, importing them from a
    spreadsheet, and which measures answer each — is the coordinator's office's work (and the administrator's)."""
    return is_staff_role(user) and user.is_active


def may_import_measures(user) -> bool:
    """Loading a plan from a spreadsheet rewrites many measures at once: the system administrator's job."""
    return user.is_authenticated and user.is_active and user.role == Role.ADMIN


# --- Status updates ---------------------------------------------------------------------


def may_view_update(user, update) -> bool:
    """Approved updates are for everyone signed in; the rest for the staff and the update's own agency."""
    if not user.is_authenticated:
        return False
    if update.state == "approved" or is_staff_role(user):
        return True
    return user.role in REPORTING_ROLES and update.agency_id == user.agency_id


def may_edit_update(user, update) -> bool:
    return (
        user.is_authenticated
        and user.role in REPORTING_ROLES
        and update.agency_id == user.agency_id
        and update.state in UPDATE_EDITABLE_STATES
        and agency_is_active(user)
    )


def may_withdraw_update(user, update) -> bool:
    return (
        user.is_authenticated
        and user.role in REPORTING_ROLES
        and update.agency_id == user.agency_id
        and update.state == "submitted"
        and agency_is_active(user)
    )


def may_see_restricted(user, update) -> bool:
    """The restricted part of an update — details that could identify a victim or a case — and its
    restricted files: for the coordinator's office and the update's own agency, no one else.

    Every renderer asks here (pages, the thread, evidence downloads); documents that leave the
    application ask `may_see_restricted_in_reports`, and e-mails never carry restricted text.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if is_staff_role(user):
        return True
    return user.role in REPORTING_ROLES and update.agency_id == user.agency_id


def may_see_restricted_in_reports(user) -> bool:
    """Reports (PDF, XLSX, CSV) include restricted details, marked as such, only when the coordinator's
    office asked for them. A report is a file that travels — forwarded, printed, attached — so an
    agency's own report leaves even its own restricted details out. `user` is who requested it."""
    return user is not None and is_staff_role(user) and user.is_active


def may_view_evidence(user, evidence) -> bool:
    """A file is seen by those who see its update; a restricted one only by those who see restricted
    details. Reads `evidence.update` (select it)."""
    return may_view_update(user, evidence.update) and (
        not evidence.restricted or may_see_restricted(user, evidence.update)
    )


def may_review(user) -> bool:
    return is_staff_role(user)


def may_review_update(user, update) -> bool:
    """The coordinator's office reviews submitted updates — never one its reviewer wrote."""
    return may_review(user) and update.state == "submitted" and update.author_id != user.pk


def visible_updates(user, updates):
    """Filter a queryset of updates to those the user may see."""
    from django.db.models import Q

    if not user.is_authenticated:
        return updates.none()
    if is_staff_role(user):
        return updates
    if user.role in REPORTING_ROLES:
        return updates.filter(Q(state="approved") | Q(agency_id=user.agency_id))
    return updates.filter(state="approved")


# --- Reports ----------------------------------------------------------------------------


def may_request_report(user, *, kind: str, agency_id: int | None = None) -> bool:
    """Staff and partners may request any report; focal points and NGOs only their own agency's."""
    if not user.is_authenticated:
        return False
    if is_staff_role(user) or user.role == Role.PARTNER:
        return True
    return user.role in REPORTING_ROLES and kind == "agency" and agency_id == user.agency_id


def may_view_quality_review(user) -> bool:
    """A plan's quality review judges the plan itself (its gaps, the bodies that never reported): for the
    coordinator's office and the international partners who follow the plan, as reports are; not for the
    bodies it judges."""
    return user.is_authenticated and user.is_active and (is_staff_role(user) or user.role == Role.PARTNER)


def may_view_report(user, report) -> bool:
    """A report is for the person who asked, and for the staff; one that quotes restricted details
    (`report.holds_restricted`) only while they may see them in reports — not once their role changed."""
    return (
        user.is_authenticated
        and (is_staff_role(user) or report.requested_by_id == user.pk)
        and (not report.holds_restricted or may_see_restricted_in_reports(user))
    )


# --- The audit trail ----------------------------------------------------------------------


def may_view_audit_trail(user) -> bool:
    """Who signed in, who was refused, who downloaded what: for the administrator of the whole installation
    only. The trail names people and files of every country, so a country's administrator does not read it."""
    from nap_tracker.countries import is_installation_admin

    return user.is_authenticated and user.is_active and user.role == Role.ADMIN and is_installation_admin(user)


# --- The partners' API ------------------------------------------------------------------------


def may_manage_api_tokens(user) -> bool:
    """Issuing and revoking API tokens — each one reads the plan for a person or an organisation,
    from a program, without a browser — is the act of the administrator of the whole installation: an
    organisation's token reads every country the organisation works in (IOM's, both of the demo's), so a
    country's administrator neither issues nor sees them."""
    from nap_tracker.countries import is_installation_admin

    return user.is_authenticated and user.is_active and user.role == Role.ADMIN and is_installation_admin(user)


# --- Turning a "no" into the right answer -------------------------------------------------


class Refused(Http404):
    """A 404 given because this module said no (not because the object is missing): the audit trail records it."""


def refuse(user, *, visible: bool):
    """Raise 404 for someone who should not know the object exists, 403 for one who may see it but not do this.

    Either way the refusal is written to the audit trail, with the address asked for
    (`nap_tracker.middleware.AuditRefusalsMiddleware`).
    """
    if visible:
        raise PermissionDenied
    raise Refused


# --- Second factor ----------------------------------------------------------------------

# Those who can change everything sign in with a code from an authenticator app as well.
SECOND_FACTOR_ROLES = STAFF_ROLES


def must_use_second_factor(user) -> bool:
    return user.is_authenticated and user.role in SECOND_FACTOR_ROLES


def may_turn_off_second_factor(user) -> bool:
    return user.is_authenticated and not must_use_second_factor(user)


def may_reset_second_factor(user) -> bool:
    """An administrator resets someone's second factor (a lost phone) from the admin."""
    return user.is_authenticated and user.is_active and user.role == Role.ADMIN


def may_comment_update(user, update) -> bool:
    """The coordinator's office and the update's own agency talk in its thread until it is approved."""
    if not user.is_authenticated or update.state == "approved":
        return False
    if is_staff_role(user):
        return True
    return user.role in REPORTING_ROLES and update.agency_id == user.agency_id and agency_is_active(user)


def may_remove_evidence(user, update) -> bool:
    """Before approval, the update's own agency may take back a file it attached by mistake."""
    return (
        user.is_authenticated
        and user.role in REPORTING_ROLES
        and update.agency_id == user.agency_id
        and update.state != "approved"
        and agency_is_active(user)
    )


def may_erase_evidence(user) -> bool:
    """Erasing a file from the record (personal data attached by mistake) is the system administrator's act."""
    return user.is_authenticated and user.is_active and user.role == Role.ADMIN
