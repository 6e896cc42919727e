"""Signals other parts of the site listen to (the audit trail, for one)."""

from django.dispatch import Signal

# Sent when someone's second factor changes or a recovery code is spent.
# Keyword arguments:
#   user    – the person whose second factor it is
#   actor   – who did it (the person themselves, or the administrator who reset it)
#   action  – "enrolled", "reset", "disabled" or "recovery_code_used"
#   request – the request it happened in, or None
second_factor_changed = Signal()
