"""The partners' read-only API, version 1, under /api/v1/."""

from django.urls import include, path

app_name = "api"

urlpatterns = []

# The administrator's pages for issuing and revoking tokens.
urlpatterns += [path("", include("api.token_urls"))]
