"""The plan's quality review as a PDF: the numbers of `reporting.quality`, with the cover, contents, bookmarks
and PDF/UA tagging of every report (`reporting.rendering`). A pure function: the review in, the file out."""

from datetime import datetime

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reporting.quality import QualityReview
from reporting.rendering import (
    LANGUAGE_NAMES,
    RenderedReport,
    issuer_logo_url,
    issuer_name,
    pdf_static_url,
    write_pdf,
)


def quality_title() -> str:
    return _("Quality review of the plan")


def quality_filename(review: QualityReview) -> str:
    return slugify(f"{review.edition.code}-quality-{get_language() or 'en'}") + ".pdf"


def quality_html(review: QualityReview, *, generated_at: datetime) -> str:
    language = get_language() or "en"
    return render_to_string(
        "reporting/pdf/quality.html",
        {
            "review": review,
            "edition": review.edition,
            "as_of": review.as_of,
            "title": quality_title(),
            "issuer_name": issuer_name(language),
            "issuer_logo_url": issuer_logo_url(),
            "generated_at": generated_at,
            "language_code": language,
            "language_name": LANGUAGE_NAMES.get(language, language),
            "stylesheet_url": pdf_static_url("reporting/report.css"),
            "cover_note": _(
                "The questions ICMPD asked of the 2014–2018 plan, asked of this one: which areas it covers, what "
                "needs more work against good practice, and how it was carried out. Measures marked "
                "“illustrative” use example wording, not the official text of the plan."
            ),
        },
    )


def render_quality_pdf(review: QualityReview, *, generated_at: datetime) -> RenderedReport:
    html = quality_html(review, generated_at=generated_at)
    return RenderedReport(quality_filename(review), "application/pdf", write_pdf(html))
