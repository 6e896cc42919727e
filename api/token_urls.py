"""The system administrator's pages for API tokens (names in the "api" namespace: `api:token_list`, …)."""

from django.urls import path

from api import token_views

urlpatterns = [
    path("tokens/", token_views.token_list, name="token_list"),
    path("tokens/new/", token_views.token_issue, name="token_issue"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
]
