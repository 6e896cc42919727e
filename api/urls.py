"""The partners' read-only API, version 1, under /api/v1/."""

app_name = "api"

urlpatterns = []
