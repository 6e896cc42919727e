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


@register.filter
def width_class(percent):
    """The CSS class `w-NN` that gives a bar NN% of its container's width (0–100, rounded).

    Bars use classes rather than `style="width: …"`: the Content Security Policy refuses inline
    styles, and static/css/app.css defines one class per whole percent.
    """
    try:
        value = round(float(percent))
    except (TypeError, ValueError):
        value = 0
    return f"w-{min(100, max(0, value))}"
