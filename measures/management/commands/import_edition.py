from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from measures.importing import Action, ImportInvalid, import_apply, import_preview
from measures.models import Edition


class Command(BaseCommand):
    help = (
        "Import an action plan's measures from an XLSX or CSV file shaped like the official table "
        "(No., measure, executing bodies, implementation period). Nothing is written unless the whole file is "
        "valid; exits with status 1 and lists every problem otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx or .csv file.")
        parser.add_argument("--edition", required=True, help="The plan's code, e.g. NAP-2020-2024.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, file, edition, dry_run=False, **options):
        edition_obj = Edition.objects.filter(code=edition).first()
        if edition_obj is None:
            known = ", ".join(Edition.objects.values_list("code", flat=True)) or "none yet"
            raise CommandError(f"No action plan with the code {edition!r}. Plans: {known}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {file}.")
        content = path.read_bytes()
        try:
            if dry_run:
                preview = import_preview(edition=edition_obj, filename=path.name, content=content)
                if not preview.is_valid:
                    raise ImportInvalid(preview)
            else:
                preview = import_apply(edition=edition_obj, filename=path.name, content=content)
        except ImportInvalid as invalid:
            for problem in invalid.preview.problems:
                self.stderr.write(str(problem))
            for notice in invalid.preview.notices:
                self.stderr.write(f"note: {notice}")
            raise CommandError(
                f"{path.name}: {len(invalid.preview.problems)} problems; nothing was imported."
            ) from None
        for notice in preview.notices:
            self.stdout.write(f"note: {notice}")
        for row in preview.rows:
            if row.action in (Action.NEW, Action.CHANGED):
                details = f" ({', '.join(row.changes)})" if row.changes else ""
                self.stdout.write(f"row {row.row}: {row.number} {row.action}{details}")
        counts = preview.counts
        verb = "would be imported (dry run, nothing written)" if dry_run else "imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name} → {edition_obj.code}: {counts[Action.NEW]} new, {counts[Action.CHANGED]} changed, "
                f"{counts[Action.UNCHANGED]} unchanged measures {verb}."
            )
        )
