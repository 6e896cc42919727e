"""Cursor pages: a client walks a list with `next` links and sees each row exactly once, even while rows
are added; no count is made, so a page costs the same at row 10 and at row 10,000."""

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class ApiCursorPagination(CursorPagination):
    # The rows' ids: unique and never changed, so the order is stable and a cursor is one comparison.
    ordering = ("id",)
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    cursor_query_description = gettext_lazy(
        "Where the page starts: copy it from the `next` or `previous` link of the page before. Not to be built by hand."
    )
    page_size_query_description = format_lazy(
        gettext_lazy("Rows per page, 1 to {max} (default {default})."), max=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )

    def get_page_size(self, request):
        """The page size asked for, or the default; a value that is not a whole number from 1 to the maximum is
        an error (the default pagination would quietly use its default instead)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        text = raw.strip()
        if not _whole_number(text) or not 1 <= int(text) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Write a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(text)

    def decode_cursor(self, request):
        # A cursor that cannot be read is a bad request (400), not a missing page (404).
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = False
        # The position is a row's id: a cursor made by hand could hold any text, which the database would refuse.
        if cursor is False or (cursor is not None and not _is_id(cursor.position)):
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        _("This cursor cannot be read: use the `next` or `previous` link as given.")
                    ]
                }
            )
        return cursor

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["next"]["description"] = str(_("The next page, with the same parameters; null on the last page."))
        properties["next"]["example"] = f"https://nap.example.org/api/v1/measures/?{self.cursor_query_param}=cD0yMDA%3D"
        properties["previous"]["description"] = str(_("The page before; null on the first page."))
        properties["previous"]["example"] = (
            f"https://nap.example.org/api/v1/measures/?{self.cursor_query_param}=cj0xJnA9MjAx"
        )
        properties["results"] = {**schema, "description": str(_("The rows of this page, in the order of their id."))}
        response["required"] = ["next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size, "default": self.page_size})
        return parameters


def _whole_number(text: str) -> bool:
    # ASCII digits only: str.isdigit() also takes "²" and "٣", which int() then refuses (a server error).
    return text.isascii() and text.isdigit()


def _is_id(position) -> bool:
    return position is None or (_whole_number(str(position)) and int(position) < 2**63)
