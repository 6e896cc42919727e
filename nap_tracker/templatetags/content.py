"""Showing the plan's content: a small marker when a text is not in the reader's language."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def fallback_marker(text):
    """` <span class="fallback">EN</span>` after a text shown in another language than the reader's, else nothing.

    Put it after the text, so the text itself can still go through other filters:
    `{{ measure.description|linebreaksbr }}{{ measure.description|fallback_marker }}`.
    """
    if not getattr(text, "is_fallback", False) or not str(text):
        return ""
    return format_html(
        ' <span class="fallback" title="{}">{}</span>',
        _("Not available in your language; shown in another"),
        text.language.upper(),
    )
