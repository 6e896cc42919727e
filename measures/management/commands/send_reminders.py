from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from measures import reminders


class Command(BaseCommand):
    help = (
        "Send today's reminder digests now: updates due soon, updates overdue, and the coordinators' weekly list "
        "of updates waiting for review. Each person gets each digest once; running it again sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")
        parser.add_argument(
            "--only", choices=["reporting", "review"], help="Send only the reporting reminders or the review digest."
        )

    def handle(self, *args, today=None, only=None, **options):
        try:
            day = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today must be a date written YYYY-MM-DD; got {today!r}.") from None
        if only in (None, "reporting"):
            sent = reminders.reporting_reminders_send(today=day)
            self.stdout.write(f"{day}: {sent['due_soon']} due-soon and {sent['overdue']} overdue digests sent.")
        if only in (None, "review"):
            count = reminders.review_digest_send(today=day)
            self.stdout.write(f"{day}: {count} review digests sent to the coordinator's office.")
