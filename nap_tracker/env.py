"""Small typed readers for settings taken from the environment.

Each one fails loudly, naming the variable, when a value cannot be understood:
a typo in a deployment must stop the start-up, not quietly fall back to a default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    """The variable's value; None when it is unset or blank (a blank line in .env means "use the default")."""
    raw = os.environ.get(name)
    return None if raw is None or raw.strip() == "" else raw


def env_str(name: str, default: str = "") -> str:
    raw = _raw(name)
    return default if raw is None else raw.strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false, yes/no, on/off, 1/0; got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = _raw(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_admins(name: str) -> list[tuple[str, str]]:
    """People to e-mail about server errors: "Ana Aliyeva <ana@example.gov.az>, ops@example.gov.az"."""
    people = []
    for item in env_list(name):
        if "<" in item and item.endswith(">"):
            person, address = item[:-1].split("<", 1)
            person, address = person.strip(), address.strip()
        else:
            person, address = item, item
        if "@" not in address or " " in address:
            raise ImproperlyConfigured(
                f"{name} must list e-mail addresses, like: Name <name@example.org>; got {item!r}."
            )
        people.append((person or address, address))
    return people
