"""The system administrator's pages for API tokens: the list, issuing one (its token shown once), revoking.

Only those `permissions.may_manage_api_tokens` lets in: others get 403 on the list and the form, and 404
on a token's own address (they must not learn which tokens exist).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from api import tokens
from api.models import ApiToken
from api.scopes import Scope
from api.token_forms import FIELD_FOR_SERVICE_ERROR, TokenIssueForm, TokenListFilterForm
from nap_tracker import permissions

PAGE_SIZE = 50


def _allowed(request, *, visible: bool = True):
    if not permissions.may_manage_api_tokens(request.user):
        permissions.refuse(request.user, visible=visible)


@login_required
@require_GET
def token_list(request):
    _allowed(request)
    filters = TokenListFilterForm(request.GET)
    show = (filters.cleaned_data["show"] if filters.is_valid() else "") or "active"
    found = ApiToken.objects.select_related("person__agency", "organisation")
    if show == "active":
        found = found.active()
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "api/tokens/list.html",
        {"page": page, "show": show, "filters": filters, "query": f"show={show}"},
    )


@never_cache  # the answer to the form holds the token, which must stay in no cache
@login_required
@require_http_methods(["GET", "POST"])
def token_issue(request):
    _allowed(request)
    form = TokenIssueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not form.claim():
            form.add_error(
                None,
                _(
                    "This form was sent already, and its token issued then: find it in the list. If the token "
                    "was not kept, revoke it there and issue a new one."
                ),
            )
        else:
            try:
                token, secret = tokens.token_issue(by=request.user, **form.token_arguments())
            except ValidationError as error:
                form.unclaim()
                for field, problems in error.error_dict.items():
                    form.add_error(FIELD_FOR_SERVICE_ERROR.get(field, field), problems)
            else:
                # Rendered, not redirected to: the token is in this answer and nowhere else, kept by no session.
                return render(request, "api/tokens/issued.html", {"token": token, "secret": secret})
    return render(
        request,
        "api/tokens/new.html",
        {"form": form, "scopes": Scope.choices, "chosen_scopes": _chosen(form, "scopes")},
        status=400 if form.errors else 200,
    )


def _chosen(form, name) -> list[str]:
    value = form[name].value() or []
    return [str(item) for item in value] if isinstance(value, list | tuple) else [str(value)]


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk):
    _allowed(request, visible=False)
    token = get_object_or_404(ApiToken.objects.select_related("person__agency", "organisation", "revoked_by"), pk=pk)
    if request.method == "POST":
        try:
            tokens.token_revoke(by=request.user, token=token)
        except tokens.TokenAlreadyRevoked:
            messages.info(request, _("The token %(name)s was revoked already.") % {"name": token})
        else:
            messages.success(request, _("The token %(name)s is revoked: it no longer works.") % {"name": token})
        return redirect("api:token_list")
    return render(request, "api/tokens/revoke.html", {"token": token})
