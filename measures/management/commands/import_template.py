from pathlib import Path

from django.core.management.base import BaseCommand

from measures.importing import import_template


class Command(BaseCommand):
    help = "Write the XLSX template for importing a plan's measures, with a second sheet explaining each column."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="nap-measures-template.xlsx", help="Where to write it.")

    def handle(self, *args, output, **options):
        Path(output).write_bytes(import_template().content)
        self.stdout.write(self.style.SUCCESS(f"Template written to {output}."))
