"""What a preview says: problems, each row's outcome, the areas a file adds, and the preview as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures.importing.columns import Column
from measures.models import Edition


@dataclass
class Problem:
    message: str
    row: int | None = None
    column: str = ""

    def __str__(self):
        if self.row and self.column:
            return _("row %(row)s, %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row:
            return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return self.message


class Action:
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"
    HEADING = "heading"

    LABELS = {
        NEW: gettext_lazy("new"),
        CHANGED: gettext_lazy("changed"),
        UNCHANGED: gettext_lazy("unchanged"),
        ERROR: gettext_lazy("error"),
        HEADING: gettext_lazy("area heading"),
    }


@dataclass
class ParsedMeasure:
    number: str
    area_code: str = ""
    area_explicit: bool = False
    values: dict[str, str] = field(default_factory=dict)  # model field → text, for the columns in the file
    period: tuple[date, date] | None = None
    period_fields: list[str] = field(default_factory=list)
    assignments: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)  # part → [(agency id, lead)]
    # None when the file has no such columns (what is stored stays as it is).
    indicators: list | None = None  # importing.results.IndicatorSpec
    budget: list | None = None  # [(funding source id or None, amount, currency)]
    recommendations: list[int] | None = None  # recommendation ids


@dataclass
class RowOutcome:
    row: int
    action: str
    number: str = ""
    title: str = ""
    area: str = ""
    changes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    parsed: ParsedMeasure | None = None
    measure_id: int | None = None

    @property
    def action_label(self):
        return Action.LABELS[self.action]


@dataclass
class NewArea:
    code: str
    title: str
    language: str
    pillar: str
    pillar_given: bool
    row: int


@dataclass
class ImportPreview:
    edition: Edition
    filename: str
    rows: list[RowOutcome] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    new_areas: dict[str, NewArea] = field(default_factory=dict)
    columns: list[Column] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return self.file_problems + [problem for row in self.rows for problem in row.problems]

    @property
    def is_valid(self) -> bool:
        return not self.problems and any(row.parsed for row in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in (Action.NEW, Action.CHANGED, Action.UNCHANGED, Action.ERROR)}


class ImportInvalid(Exception):
    """Raised by `import_apply` when the file has problems; nothing was written."""

    def __init__(self, preview: ImportPreview):
        super().__init__(_("The file has %(n)s problems; nothing was imported.") % {"n": len(preview.problems)})
        self.preview = preview
