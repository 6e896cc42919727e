from django.dispatch import Signal

# Sent when a person's second factor is enrolled, reset, disabled or a recovery code is used.
# kwargs: user, actor, action, request
second_factor_changed = Signal()
