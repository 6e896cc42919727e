"""Texts that the plan's content holds in English, Azerbaijani and Russian.

A model keeps one column per language (`title_en`, `title_az`, `title_ru`); readers get
the text in their own language, falling back to whichever language is filled. The
result says which language it came from, so pages can mark a fallback.
"""

from django.conf import settings
from django.utils.translation import get_language, gettext, gettext_lazy

CONTENT_LANGUAGES = ("en", "az", "ru")


class TranslatedText(str):
    """A string that remembers which language it is in and whether it is a fallback."""

    language: str
    is_fallback: bool

    def __new__(cls, value: str, language: str, is_fallback: bool):
        text = super().__new__(cls, value)
        text.language = language
        text.is_fallback = is_fallback
        return text

    def __reduce__(self):
        # Kept whole in the cache (the dashboard's numbers hold area titles, reporting/caching.py).
        return (TranslatedText, (str(self), self.language, self.is_fallback))


def current_content_language() -> str:
    code = (get_language() or "en").split("-")[0]
    return code if code in CONTENT_LANGUAGES else "en"


def pick_translation(obj, field: str, language: str | None = None) -> TranslatedText:
    wanted = language or current_content_language()
    order = [wanted, *[code for code in CONTENT_LANGUAGES if code != wanted]]
    for code in order:
        value = getattr(obj, f"{field}_{code}", "") or ""
        if value.strip():
            return TranslatedText(value, code, code != wanted)
    return TranslatedText("", wanted, False)


class Translated:
    """Descriptor: `title = Translated("title")` reads `title_en` / `title_az` / `title_ru`.

    It reads only columns already loaded on the row, so it never costs a query.
    """

    def __init__(self, field: str):
        self.field = field

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return pick_translation(obj, self.field)


# The mark beside a text written in another language than the reader's (an update's narrative). Whole
# sentences, because Azerbaijani and Russian decline the language's name differently after "in".
WRITTEN_IN = {
    "en": gettext_lazy("Written in English"),
    "az": gettext_lazy("Written in Azerbaijani"),
    "ru": gettext_lazy("Written in Russian"),
}


def content_language_codes() -> list[str]:
    """The languages a text of this installation may be written in (settings.LANGUAGES)."""
    return [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    """The language's name in the reader's language; empty for an empty or unknown code."""
    return str(dict(settings.LANGUAGES).get(code, "")) if code else ""


def written_in(code: str) -> str:
    """The words "Written in Azerbaijani", in the reader's language; empty for an empty or unknown code."""
    if code in WRITTEN_IN:
        return str(WRITTEN_IN[code])
    name = language_name(code)
    return gettext("Written in %(language)s") % {"language": name} if name else ""


def differs_from_reader(code: str) -> bool:
    """Whether a text known to be written in `code` is shown to a reader of another language."""
    return bool(code) and code in content_language_codes() and code != current_content_language()
