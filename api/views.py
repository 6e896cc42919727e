"""The partners' read-only API: thin views over api/selectors.py, one scope each (api/scopes.py).

Every answer is in one language (`?lang=`, else Accept-Language, else the site's default), carries an ETag
(a hash of its body) and answers 304 to a matching If-None-Match, so a client polling a dashboard downloads
only what changed.
"""

import hashlib
import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.decorators import method_decorator
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api import selectors, serializers
from api.filters import AgencyFilter, ApiMeasureFilter, AreaFilter, PeriodFilter, UpdateFilter
from api.permissions import api_user
from api.scopes import Scope
from api.serializers import lazy_format
from reporting.numbers import dashboard_numbers

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def requested_language(request) -> str:
    """`?lang=` when given (an unknown code is an error, not a silent English), else the first language of
    Accept-Language the site has, else the site's default. Read from the request alone, never from the
    person's saved preference, so the same request always gets the same answer (and the same ETag)."""
    asked = request.query_params.get("lang")
    if asked is not None:
        if asked not in LANGUAGE_CODES:
            raise ValidationError({"lang": [_("Choose one of: %(codes)s.") % {"codes": ", ".join(LANGUAGE_CODES)}]})
        return asked
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


LANG_PARAMETER = OpenApiParameter(
    "lang",
    str,
    OpenApiParameter.QUERY,
    enum=LANGUAGE_CODES,
    description=gettext_lazy(
        "The language of the texts and labels. Without it, the first language of Accept-Language the site has, "
        "else English. Texts missing in that language come in another: see each `…_language` field."
    ),
)
COUNTRY_PARAMETER = OpenApiParameter(
    "country",
    str,
    OpenApiParameter.QUERY,
    description=gettext_lazy(
        "The code of the country to read (e.g. az), for a caller who follows several; one of the caller's countries. "
        "Without it, the caller's only country, else the first. Every answer speaks of one country."
    ),
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description=gettext_lazy(
        "The ETag of the copy you hold: when the answer is the same, 304 Not Modified comes back without a body."
    ),
)
ERRORS_400 = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    },
    description=gettext_lazy(
        "A parameter cannot be read: each one named, with what is wrong, e.g. "
        '{"deadline_year": ["Enter a year between 1900 and 2200."]}.'
    ),
)
DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
COMMON_RESPONSES = {
    304: OpenApiResponse(description=gettext_lazy("Not modified: the ETag in If-None-Match still holds.")),
    400: ERRORS_400,
    401: OpenApiResponse(response=DETAIL, description=gettext_lazy("No token (or session), or one not valid.")),
    403: OpenApiResponse(response=DETAIL, description=gettext_lazy("The token lacks the scope this needs.")),
}
NOT_FOUND = {404: OpenApiResponse(response=DETAIL, description=gettext_lazy("No such object, or not yours to see."))}


CODE = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description=gettext_lazy("The plan's code, e.g. NAP-2020-2024.")
)

# Said outright: the router's pattern for an id takes any text (so junk gets a JSON 404), which the schema
# generator cannot read a type from.
ID = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description=gettext_lazy("The object's id, as the list gives it in `id`.")
)


def documented(serializer_class, *, what: str, path_parameters=(ID,)):
    """The list and the one-object operations of a viewset, with their parameters and every answer they give."""
    operations = {
        "list": extend_schema(
            summary=lazy_format(gettext_lazy("List %(what)s"), {"what": what}),
            parameters=[COUNTRY_PARAMETER, LANG_PARAMETER, IF_NONE_MATCH],
            responses={200: serializer_class(many=True), **COMMON_RESPONSES},
        )
    }
    operations["retrieve"] = extend_schema(
        summary=lazy_format(gettext_lazy("One of the %(what)s"), {"what": what}),
        parameters=[*path_parameters, COUNTRY_PARAMETER, LANG_PARAMETER, IF_NONE_MATCH],
        responses={200: serializer_class, **COMMON_RESPONSES, **NOT_FOUND},
    )
    return extend_schema_view(**operations)


class ApiViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only list and detail of what `selector(principal)` returns, in the language asked for."""

    required_scope: str = ""
    selector = None
    # The country the request reads, set in `initial` (None, i.e. nothing, for the schema generator's view).
    country_id = None
    # Any id reaches the view, which answers 404 in JSON; an address the router's default pattern did not match
    # ("1.5") would get the site's HTML page.
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return type(self).selector(api_user(self.request), self.country_id)

    def get_serializer_context(self):
        # "Overdue" is judged against one day for the whole page.
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # who asks, and may they: before anything is read
        try:
            self.country_id = selectors.api_country_id(request)
        except selectors.UnknownCountry:
            raise ValidationError(
                {"country": [_("Name one of your countries by its code, e.g. az (see each plan's `country`).")]}
            ) from None
        language = requested_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # What is said depends on the language asked for and on who asks (a token, or a session cookie).
        patch_vary_headers(response, ("Accept-Language", "Authorization", "Cookie"))
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        response["Content-Language"] = translation.get_language()
        response["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest())
        # A client may keep a copy, but must ask each time (with If-None-Match) whether it still holds; no
        # shared cache keeps it. A session's answers are not kept at all (nap_tracker.middleware.NoStoreMiddleware).
        patch_cache_control(response, private=True, no_cache=True)
        return get_conditional_response(request, etag=response["ETag"], response=response)


@documented(serializers.EditionSerializer, what=gettext_lazy("plans"), path_parameters=[CODE])
class EditionViewSet(ApiViewSet):
    """The national action plans that are running or closed."""

    required_scope = Scope.PLANS
    selector = staticmethod(selectors.editions_for)
    serializer_class = serializers.EditionSerializer
    lookup_field = "code"

    def get_object(self):
        # A plan's code is a slug: anything else names no plan, and must not reach the database (a NUL byte
        # in an address is an error there).
        if not re.fullmatch(r"[-A-Za-z0-9_]+", self.kwargs[self.lookup_field]):
            raise NotFound
        return super().get_object()

    @extend_schema(
        summary=gettext_lazy("A plan's summary numbers"),
        description=gettext_lazy(
            "The numbers the site's dashboard and progress reports show for the plan today, from the same module: "
            "measures by status, area, pillar and agency, deadlines passed and met, independent assessments, "
            "progress across the reporting periods, measures carried over from earlier plans."
        ),
        parameters=[CODE, COUNTRY_PARAMETER, LANG_PARAMETER, IF_NONE_MATCH],
        responses={200: serializers.SummarySerializer, **COMMON_RESPONSES, **NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def summary(self, request, code=None):
        edition = self.get_object()
        numbers = dashboard_numbers(edition, today=timezone.localdate())
        return Response(serializers.SummarySerializer(numbers).data)


@documented(serializers.AreaSerializer, what=gettext_lazy("areas"))
class AreaViewSet(ApiViewSet):
    """The areas (sections) of the plans."""

    required_scope = Scope.PLANS
    selector = staticmethod(selectors.areas_for)
    serializer_class = serializers.AreaSerializer
    filterset_class = AreaFilter


@documented(serializers.PeriodSerializer, what=gettext_lazy("reporting periods"))
class PeriodViewSet(ApiViewSet):
    """The periods for which the bodies report."""

    required_scope = Scope.PLANS
    selector = staticmethod(selectors.periods_for)
    serializer_class = serializers.PeriodSerializer
    filterset_class = PeriodFilter


@documented(serializers.AgencySerializer, what=gettext_lazy("agencies"))
class AgencyViewSet(ApiViewSet):
    """The bodies named in the plans."""

    required_scope = Scope.AGENCIES
    selector = staticmethod(selectors.agencies_for)
    serializer_class = serializers.AgencySerializer
    filterset_class = AgencyFilter


@documented(serializers.MeasureSerializer, what=gettext_lazy("measures"))
class MeasureViewSet(ApiViewSet):
    """The measures, with the filters of the site's measures list."""

    required_scope = Scope.MEASURES
    selector = staticmethod(selectors.measures_for)
    serializer_class = serializers.MeasureSerializer
    filterset_class = ApiMeasureFilter


@documented(serializers.UpdateSerializer, what=gettext_lazy("approved updates"))
class UpdateViewSet(ApiViewSet):
    """The approved updates: what each body reported for each measure and period."""

    required_scope = Scope.UPDATES
    selector = staticmethod(selectors.updates_for)
    serializer_class = serializers.UpdateSerializer
    filterset_class = UpdateFilter


class SchemaView(SpectacularAPIView):
    """The OpenAPI description (YAML, or JSON with ?format=json), generated once per language and version in
    each process: it changes only with the code, and generating it took 0.2–0.4 s on every request. It names
    no person and no country's data (drf-spectacular describes every endpoint, whoever asks), so one copy
    serves everyone allowed to read it."""

    _generated: dict = {}

    def _get_schema_response(self, request):
        language = translation.get_language()
        version = self.api_version or request.version or self._get_version_parameter(request)
        if language not in LANGUAGE_CODES:
            # ?lang= with a language the site does not speak: described as asked, not kept.
            return super()._get_schema_response(request)
        key = (language, version)
        if key not in self._generated:
            self._generated[key] = super()._get_schema_response(request).data
        return Response(
            data=self._generated[key],
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )


@method_decorator(login_required, name="dispatch")
class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the site's own static files, its start-up script a file of its own (?script), so that the
    page runs under the site's security policy with no inline script or style. A page for people in a browser:
    someone not signed in is sent to sign in."""

    url_name = "api:schema"
    template_name = "api/swagger_ui.html"
    title = gettext_lazy("NAP Tracker API")

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Swagger UI's stylesheet draws its icons from data: URLs; nothing else is allowed beyond the site's policy.
        response._csp_update = {"img-src": ["data:"]}
        return response
