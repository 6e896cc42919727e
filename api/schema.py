"""How the OpenAPI description names the ways in: a partner's token as an HTTP Bearer scheme (the session is
described by drf-spectacular itself)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _(
                    "A token made on the site's API tokens page, sent as `Authorization: Bearer <token>`. It reads "
                    "what its owner may read, within its scopes."
                )
            ),
        }
