from django import template

from measures import results

register = template.Library()


@register.filter
def baseline(indicator) -> str:
    return results.baseline_display(indicator)


@register.filter
def target(indicator) -> str:
    return results.target_display(indicator)


@register.filter
def money(line) -> str:
    """A budget line, amount spent or (currency, amount) pair as "12,000 AZN"."""
    if isinstance(line, tuple):
        currency, amount = line
        return results.money(amount, currency)
    return results.money(line.amount, line.currency)


@register.filter
def number(value) -> str:
    return results.show_number(value)


@register.filter
def reading_value(progress, reading) -> str:
    return progress.show(reading)


@register.filter
def indicator_value(value) -> str:
    """An IndicatorValue as its unit reads: 41, 35 %, Yes, a text."""
    return results.show_value(value.indicator, value.value, value.text)
