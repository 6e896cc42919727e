"""The annual report as PDF: the shared layout through a template, then WeasyPrint (as every report)."""

from datetime import datetime

from django.template.loader import render_to_string
from django.utils.text import slugify

from reporting.documents.annual import AnnualReport
from reporting.documents.annual_layout import annual_filename_parts, annual_layout
from reporting.rendering import RenderedReport, issuer_logo_url, pdf_static_url, write_pdf


def annual_html(report: AnnualReport, *, generated_at: datetime) -> str:
    context = annual_layout(report, generated_at=generated_at)
    context.update(issuer_logo_url=issuer_logo_url(), stylesheet_url=pdf_static_url("reporting/report.css"))
    return render_to_string("reporting/pdf/annual.html", context)


def render_annual_pdf(report: AnnualReport, *, generated_at: datetime) -> RenderedReport:
    html = annual_html(report, generated_at=generated_at)
    filename = slugify("-".join(annual_filename_parts(report))) + ".pdf"
    return RenderedReport(filename, "application/pdf", write_pdf(html))
