from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from measures.models import Edition, RecommendationSource
from nap_tracker.countries import in_country
from nap_tracker.models import Agency
from reporting.models import Report
from reporting.services import ReportError, report_render


class Command(BaseCommand):
    help = (
        "Render one report now, without a worker, and write it to a file (for administrators and scripts). "
        "The plan decides the country: its agency and recommendation source are looked up in that country only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=Report.Kind.values, default=Report.Kind.EDITION)
        parser.add_argument("--edition", required=True, help="Code of the action plan, e.g. NAP-2020-2024.")
        parser.add_argument(
            "--country", help="Code of the plan's country, e.g. az: checked, so a script cannot print another's plan."
        )
        parser.add_argument("--period", help="Label of a reporting period, e.g. '2023 H2'. Default: the state today.")
        parser.add_argument("--agency", help="Agency code, for --kind agency.")
        parser.add_argument("--area", help="Area number, for --kind area.")
        parser.add_argument(
            "--source", help="Reference of a recommendation source, e.g. GRETA(2018)17, for --kind coverage."
        )
        parser.add_argument("--lang", choices=Report.Language.values, default=Report.Language.EN)
        parser.add_argument("--format", choices=Report.Format.values, default=Report.Format.PDF)
        parser.add_argument("-o", "--output", required=True, help="File to write; '-' for standard output.")

    def handle(self, *args, **options):
        edition = Edition.objects.filter(code=options["edition"]).first()
        if edition is None:
            known = ", ".join(Edition.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"No action plan with the code {options['edition']!r}. Known plans: {known}.")
        if options["country"] and edition.country.code != options["country"]:
            raise CommandError(f"{edition.code} is a plan of {edition.country.code!r}, not of {options['country']!r}.")
        period = area = agency = None
        if options["period"]:
            period = edition.periods.filter(label=options["period"]).first()
            if period is None:
                known = ", ".join(edition.periods.values_list("label", flat=True)) or "none"
                raise CommandError(
                    f"{edition.code} has no reporting period {options['period']!r}. Its periods: {known}."
                )
        kind = options["kind"]
        if kind == Report.Kind.AGENCY:
            if not options["agency"]:
                raise CommandError("An agency report needs --agency CODE.")
            agency = in_country(Agency.objects.filter(code=options["agency"]), edition.country_id).first()
            if agency is None:
                raise CommandError(f"No agency with the code {options['agency']!r} in {edition.code}'s country.")
        elif options["agency"]:
            raise CommandError("--agency is only for --kind agency.")
        if kind == Report.Kind.AREA:
            if not options["area"]:
                raise CommandError("An area report needs --area NUMBER.")
            area = edition.areas.filter(code=options["area"]).first()
            if area is None:
                known = ", ".join(edition.areas.values_list("code", flat=True)) or "none"
                raise CommandError(f"{edition.code} has no area {options['area']!r}. Its areas: {known}.")
        elif options["area"]:
            raise CommandError("--area is only for --kind area.")

        source = None
        if kind == Report.Kind.COVERAGE:
            if not options["source"]:
                raise CommandError("A coverage report needs --source REFERENCE, e.g. --source 'GRETA(2018)17'.")
            # References are unique within a country only (one US TIP report speaks to every country).
            sources = in_country(RecommendationSource.objects.all(), edition.country_id)
            source = sources.filter(reference=options["source"]).first()
            if source is None:
                known = ", ".join(sources.values_list("reference", flat=True)) or "none"
                raise CommandError(f"No recommendation source {options['source']!r}. Known sources: {known}.")
        elif options["source"]:
            raise CommandError("--source is only for --kind coverage.")

        try:
            rendered = report_render(
                kind=kind,
                edition=edition,
                period=period,
                agency=agency,
                area=area,
                source=source,
                language=options["lang"],
                format=options["format"],
            )
        except ReportError as error:
            raise CommandError(str(error)) from None
        if options["output"] == "-":
            self.stdout.buffer.write(rendered.content) if hasattr(self.stdout, "buffer") else self.stdout.write(
                rendered.content.decode("utf-8", "replace")
            )
            return
        Path(options["output"]).write_bytes(rendered.content)
        self.stderr.write(f"Wrote {rendered.filename} ({len(rendered.content):,} bytes) to {options['output']}")
