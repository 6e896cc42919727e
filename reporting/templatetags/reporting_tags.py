import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# Letters (any script), digits, spaces and punctuation that cannot end a CSS string or a <style> element.
_CSS_SAFE = re.compile(r"[\w .,:;!?()\[\]@#%*+=/'-]", re.UNICODE)


@register.filter
def css_string(value) -> str:
    """A quoted CSS string in which every character outside a small safe set is written as a six-digit
    escape (\\00000D), so no text can end the string, the rule or the <style> element it sits in.

    The PDF keeps data out of CSS altogether (its running header uses string-set); this is for any
    place that ever needs a text in CSS."""
    escaped = "".join(
        char if _CSS_SAFE.fullmatch(char) and char != "_" else f"\\{ord(char):06X}" for char in str(value)
    )
    return mark_safe(f'"{escaped}"')
