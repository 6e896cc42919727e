"""Import an edition's measures from a spreadsheet shaped like the official table, and export them back.

Three steps, each pure of side effects but the last:

- `read_table()` turns XLSX or CSV bytes into numbered rows of text (or raises `FileProblem`);
- `import_preview()` reads the rows against the edition and says, row by row, what would happen
  (new / changed / unchanged / error) and why; it writes nothing;
- `import_apply()` does it, in one transaction, only when the whole file is valid.

`export_edition()` writes the columns `import_preview()` reads, so an export imports back unchanged.

One module per step:

- `columns`   — the columns an import reads and an export writes;
- `read`      — XLSX / CSV bytes into rows of text;
- `headers`   — which column a header names, the header row, the row of column numbers;
- `agencies`  — the bodies a cell names;
- `periods`   — the start and deadline an implementation period's wording stands for;
- `outcomes`  — problems, row outcomes and the preview they make up;
- `rows`      — one row read as an area heading or a measure, compared with what is stored;
- `preview`   — the whole file read against the edition;
- `apply`     — writing it;
- `export`    — the edition back out, and the template;
- `recommendations`     — the recommendations a measure's cell names;
- `recommendation_list` — importing the recommendations themselves (source, number, texts, date, priority);
- `upload`    — the upload form every import (admin or application) checks a file with.
"""

from measures.importing.agencies import AgencyIndex, parse_agencies
from measures.importing.apply import import_apply
from measures.importing.columns import COLUMNS, Column
from measures.importing.export import ExportFile, edition_rows, export_edition, import_template
from measures.importing.headers import match_header, normalize
from measures.importing.outcomes import Action, ImportInvalid, ImportPreview, Problem, RowOutcome
from measures.importing.periods import PeriodProblem, parse_period
from measures.importing.preview import import_preview
from measures.importing.read import FileProblem, read_table
from measures.importing.recommendation_list import (
    recommendations_import_apply,
    recommendations_import_summary,
    recommendations_preview,
)
from measures.importing.upload import ImportUploadForm

__all__ = [
    "COLUMNS",
    "Action",
    "AgencyIndex",
    "Column",
    "ExportFile",
    "FileProblem",
    "ImportUploadForm",
    "ImportInvalid",
    "ImportPreview",
    "PeriodProblem",
    "Problem",
    "RowOutcome",
    "edition_rows",
    "export_edition",
    "import_apply",
    "import_preview",
    "import_template",
    "match_header",
    "normalize",
    "parse_agencies",
    "parse_period",
    "read_table",
    "recommendations_import_apply",
    "recommendations_import_summary",
    "recommendations_preview",
]
