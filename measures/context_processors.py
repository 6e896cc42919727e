from functools import cached_property

from measures import inbox


class UnreadNotifications:
    """The header's unread count: one query, made only if a page shows it, and only once per page."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return inbox.unread_count(self.user)


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "second_factor_pending", False):
        return {}
    return {"notifications": UnreadNotifications(user)}
