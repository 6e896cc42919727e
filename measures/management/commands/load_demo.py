from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from measures.demo import DEMO_PEOPLE, demo_is_loaded, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data: NAP 2014–2018 and NAP 2020–2024 of Azerbaijan, the bodies named in them, "
        "one person per role and updates in every workflow state, and a small illustrative second country. "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo plans and demo people first, then load them again."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already holds any action plan."
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (for a demonstration server)."
        )

    def handle(self, *args, reset=False, if_empty=False, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a real installation. The demo data adds people with a known "
                "password. Run with --force if this really is a demonstration server."
            )
        from measures.models import Edition

        if if_empty and not reset and Edition.objects.exists():
            self.stdout.write("The database already holds action plans; demo data not loaded.")
            self._print_sign_ins()
            return
        already = demo_is_loaded()
        result = load_demo(password=settings.DEMO_PASSWORD, reset=reset)
        if already and not reset:
            self.stdout.write("The demo data was already loaded; nothing changed.")
        else:
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            f"{result.editions} action plans, {result.measures} measures, {result.updates} status updates, "
            f"{result.agencies} agencies, {result.users} people."
        )
        self._print_sign_ins()

    def _print_sign_ins(self):
        from measures.demo_second_country import second_country_data
        from nap_tracker.models import User

        every = [*DEMO_PEOPLE, *second_country_data()["people"]]
        people = {
            person.username: person
            for person in User.objects.filter(username__in=[p[0] for p in every]).select_related("agency")
        }
        if not people:
            return
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password: {settings.DEMO_PASSWORD}):")
        for username, *_ in every:
            if person := people.get(username):
                agency = f" — {person.agency.name_en}" if person.agency else ""
                self.stdout.write(f"  {username:<12} {person.get_role_display()}{agency}")
        self.stdout.write("  admin and the coordinators set up an authenticator app (TOTP) at their first sign-in.")
        self.stdout.write(
            "  admin administers the whole installation; partner follows both countries (switcher in the header)."
        )
