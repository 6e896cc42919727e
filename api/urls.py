"""The partners' read-only API, version 1, under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api import views

app_name = "api"

# No API root view: every view needs a scope, and the description (schema/, docs/) lists the endpoints.
router = SimpleRouter()
router.register("editions", views.EditionViewSet, basename="edition")
router.register("areas", views.AreaViewSet, basename="area")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("updates", views.UpdateViewSet, basename="update")

urlpatterns = [
    *router.urls,
    # The OpenAPI 3 description: YAML, or JSON with ?format=json (or Accept: application/json).
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    # The administrator's pages for issuing and revoking tokens.
    path("", include("api.token_urls")),
]
