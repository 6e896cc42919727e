"""Showing the plan's content: a small marker when a text is not in the reader's language."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from nap_tracker import i18n

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
def written_in(code):
    """`<span class="written-in">Written in Azerbaijani</span>` beside a text (an update's narrative) written
    in another language than the reader's, else nothing: the text is shown as its author wrote it, never
    translated. Nothing either when the language is unknown (updates written before it was asked).

    Put it outside the element that holds the text, which carries the text's own language with
    `lang_attr`: `{{ update.language|written_in }}<div{{ update.language|lang_attr }}>…</div>`.
    """
    note = written_in_note(code)
    return format_html('<span class="written-in">{}</span>', note) if note else ""


@register.filter
def written_in_note(code):
    """The words of `written_in` alone ("Written in Azerbaijani"), for a document that sets them its own way."""
    return i18n.written_in(code) if i18n.differs_from_reader(code) else ""


@register.filter
def lang_attr(code):
    """` lang="az"` for the element that holds a text written in a known language, so that screen readers
    (and the tagged PDF) pronounce it in that language; nothing when the language is unknown."""
    if not code or code not in i18n.content_language_codes():
        return ""
    return format_html(' lang="{}"', code)


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
