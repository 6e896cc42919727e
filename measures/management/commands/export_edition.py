from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from measures.importing import export_edition
from measures.models import Edition


class Command(BaseCommand):
    help = "Write an action plan's measures in the columns import_edition reads (XLSX, or CSV by the file's ending)."

    def add_arguments(self, parser):
        parser.add_argument("--edition", required=True, help="The plan's code, e.g. NAP-2020-2024.")
        parser.add_argument("-o", "--output", required=True, help="The .xlsx or .csv file to write.")

    def handle(self, *args, edition, output, **options):
        edition_obj = Edition.objects.filter(code=edition).first()
        if edition_obj is None:
            raise CommandError(f"No action plan with the code {edition!r}.")
        file_format = "csv" if output.lower().endswith(".csv") else "xlsx"
        Path(output).write_bytes(export_edition(edition=edition_obj, file_format=file_format).content)
        self.stdout.write(self.style.SUCCESS(f"{edition_obj.code} written to {output}."))
