from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from measures.importing import Action, ImportInvalid, recommendations_import_apply, recommendations_preview


class Command(BaseCommand):
    help = (
        "Import recommendations from an XLSX or CSV file with the columns Source, No., Recommendation (and "
        "Recommendation (az), (ru)), Date, Priority. Sources must already exist. Nothing is written unless the "
        "whole file is valid; exits with status 1 and lists every problem otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx or .csv file.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")
        parser.add_argument(
            "--country",
            help="The code of the country whose sources the file names (e.g. az); needed when there are several.",
        )

    def handle(self, *args, file, dry_run=False, country=None, **options):
        from nap_tracker.models import Country

        known = dict(Country.objects.values_list("code", "pk"))
        if country is None and len(known) > 1:
            raise CommandError(f"Say which country's sources the file names: --country, one of {', '.join(known)}.")
        if country is not None and country not in known:
            raise CommandError(f"No country with the code {country!r}. Countries: {', '.join(known) or 'none yet'}.")
        countries = [known[country]] if country else None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {file}.")
        content = path.read_bytes()
        try:
            if dry_run:
                preview = recommendations_preview(filename=path.name, content=content, countries=countries)
                if not preview.is_valid:
                    raise ImportInvalid(preview)
            else:
                preview = recommendations_import_apply(filename=path.name, content=content, countries=countries)
        except ImportInvalid as invalid:
            for problem in invalid.preview.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{path.name}: {len(invalid.preview.problems)} problems; nothing was imported."
            ) from None
        for row in preview.rows:
            if row.action in (Action.NEW, Action.CHANGED):
                details = f" ({', '.join(row.changes)})" if row.changes else ""
                self.stdout.write(f"row {row.row}: {row.number} {row.action}{details}")
        counts = preview.counts
        verb = "would be imported (dry run, nothing written)" if dry_run else "imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: {counts[Action.NEW]} new, {counts[Action.CHANGED]} changed, "
                f"{counts[Action.UNCHANGED]} unchanged recommendations {verb}."
            )
        )
