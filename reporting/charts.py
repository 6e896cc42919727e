"""Charts as SVG, drawn in Python — the same markup on the dashboard and in the PDF.

No JavaScript, no library, nothing fetched: each function returns a self-contained `<svg>`
element (safe to insert into a template) whose texts are escaped here. Colours follow the
status colours of static/css/app.css.
"""

import math
from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from measures.models import Status

STATUS_COLOURS = {
    Status.NOT_STARTED: "#9aa5b1",
    Status.IN_PROGRESS: "#2f6fb3",
    Status.COMPLETED: "#2e7d4f",
    Status.ONGOING: "#1b8a8f",
    Status.DELAYED: "#d48a0b",
    Status.NOT_IMPLEMENTED: "#b42318",
}
INK = "#1b2430"
MUTED = "#5b6776"
LINE = "#dfe4ea"
FONT = "DejaVu Sans, Segoe UI, Arial, sans-serif"
WIDTH = 720


def _text(x, y, content, *, size=12, anchor="start", fill=INK, weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}">{escape(str(content))}</text>'
    )


def _shorten(label: str, limit: int) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _svg(height: float, body: list[str], title: str, width: int = WIDTH) -> str:
    return mark_safe(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
        f'width="{width}" height="{height:.0f}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def _status_legend(y: float, counts=None) -> tuple[list[str], float]:
    """A legend of all statuses, in rows of three; returns the markup and the height it takes."""
    parts = []
    column = WIDTH / 3
    for index, (value, label) in enumerate(Status.choices):
        x = (index % 3) * column
        row_y = y + (index // 3) * 20
        parts.append(
            f'<rect x="{x:.1f}" y="{row_y - 10:.1f}" width="12" height="12" rx="2" fill="{STATUS_COLOURS[value]}"/>'
        )
        text = f"{label} ({counts[value]})" if counts is not None else label
        parts.append(_text(x + 18, row_y, text, size=12))
    return parts, 20 * math.ceil(len(Status.choices) / 3)


def status_bars(items, *, title: str, label_width: int = 250, label_chars: int = 34) -> str:
    """One 100%-stacked bar per item: `items` is [(label, StatusCounts)], e.g. areas or pillars."""
    bar_height, gap, top = 18, 10, 6
    bar_x = label_width
    bar_width = WIDTH - label_width - 56
    body = []
    y = top
    for label, counts in items:
        body.append(f"<g><title>{escape(str(label))}</title>")
        body.append(_text(0, y + 13, _shorten(label, label_chars), size=12))
        x = bar_x
        total = counts.total
        body.append(f'<rect x="{bar_x}" y="{y}" width="{bar_width}" height="{bar_height}" fill="#eef1f5"/>')
        for value, _label in Status.choices:
            n = counts.counts[value]
            if not n:
                continue
            width = bar_width * n / total
            body.append(
                f'<rect x="{x:.2f}" y="{y}" width="{width:.2f}" height="{bar_height}" fill="{STATUS_COLOURS[value]}"/>'
            )
            if width >= 22:
                body.append(_text(x + width / 2, y + 13, n, size=11, anchor="middle", fill="#ffffff", weight="bold"))
            x += width
        body.append(_text(WIDTH, y + 13, total, size=12, anchor="end", fill=MUTED))
        body.append("</g>")
        y += bar_height + gap
    legend, legend_height = _status_legend(y + 18)
    body.extend(legend)
    return _svg(y + 18 + legend_height, body, title)


def status_donut(counts, *, title: str, legend: bool = True) -> str:
    """The share of each status as a ring, with the total in the middle and (unless a table
    beside it says the same) a legend with counts and shares."""
    cx, cy, radius, stroke = 90, 90, 64, 30
    circumference = 2 * math.pi * radius
    body = [f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="#eef1f5" stroke-width="{stroke}"/>']
    offset = 0.0
    total = counts.total
    for value, _label in Status.choices:
        n = counts.counts[value]
        if not n:
            continue
        length = circumference * n / total
        body.append(
            f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="{STATUS_COLOURS[value]}" '
            f'stroke-width="{stroke}" stroke-dasharray="{length:.2f} {circumference - length:.2f}" '
            f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {cx} {cy})"/>'
        )
        offset += length
    body.append(_text(cx, cy + 4, total, size=26, anchor="middle", weight="bold"))
    body.append(_text(cx, cy + 24, _("measures"), size=11, anchor="middle", fill=MUTED))
    if not legend:
        return _svg(180, body, title, width=180)
    x, y = 210, 30
    for value, label in Status.choices:
        n = counts.counts[value]
        body.append(f'<rect x="{x}" y="{y - 11}" width="13" height="13" rx="2" fill="{STATUS_COLOURS[value]}"/>')
        body.append(_text(x + 20, y, label, size=13))
        body.append(_text(x + 380, y, n, size=13, anchor="end", weight="bold"))
        body.append(_text(x + 440, y, f"{counts.share(value)}%", size=13, anchor="end", fill=MUTED))
        y += 24
    return _svg(max(185, y), body, title)


def progress_lines(points, *, total: int, title: str) -> str:
    """Average progress and the share of measures completed at the end of each reporting period."""
    left, right, top, plot_height = 44, 12, 12, 190
    plot_width = WIDTH - left - right
    body = []
    for tick in range(0, 101, 25):
        y = top + plot_height * (1 - tick / 100)
        body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{LINE}"/>')
        body.append(_text(left - 6, y + 4, f"{tick}%", size=11, anchor="end", fill=MUTED))
    if not points:
        body.append(
            _text(WIDTH / 2, top + plot_height / 2, _("No reporting periods yet."), anchor="middle", fill=MUTED)
        )
        return _svg(top + plot_height + 30, body, title)
    step = plot_width / len(points)
    every = max(1, math.ceil(len(points) / 12))
    progress_path, completed_path = [], []
    for index, point in enumerate(points):
        x = left + step * (index + 0.5)
        completed_share = 100 * point.completed / total if total else 0
        progress_path.append((x, top + plot_height * (1 - point.average_progress / 100)))
        completed_path.append((x, top + plot_height * (1 - completed_share / 100)))
        if index % every == 0 or index == len(points) - 1:
            body.append(_text(x, top + plot_height + 16, point.label, size=11, anchor="middle", fill=MUTED))
    for path, colour, dash in (
        (progress_path, STATUS_COLOURS[Status.IN_PROGRESS], ""),
        (completed_path, STATUS_COLOURS[Status.COMPLETED], ' stroke-dasharray="6 4"'),
    ):
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in path)
        body.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>' for x, y in path)
    last = points[-1]
    x, y = progress_path[-1]
    body.append(_text(x, y - 9, f"{last.average_progress}%", size=11, anchor="end", weight="bold"))
    legend_y = top + plot_height + 42
    for offset, colour, label, dash in (
        (0, STATUS_COLOURS[Status.IN_PROGRESS], _("Average progress"), ""),
        (WIDTH / 2, STATUS_COLOURS[Status.COMPLETED], _("Share of measures completed"), ' stroke-dasharray="6 4"'),
    ):
        body.append(
            f'<line x1="{left + offset}" x2="{left + offset + 26}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{colour}" stroke-width="2.5"{dash}/>'
        )
        body.append(_text(left + offset + 34, legend_y, label, size=12))
    return _svg(legend_y + 10, body, title)
