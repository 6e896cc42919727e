"""The upload step every import shares: one file, of a kind the reader opens, within the size limit, and a
workbook that does not unpack to far more than a table needs. The admin's imports and the application's
use the same form, so a file is judged the same way wherever it is uploaded."""

import io
import zipfile

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from measures.evidence import UnsafeFile, archive_within_limits


def max_size_mb() -> float:
    return round(settings.IMPORT_MAX_BYTES / 1024 / 1024, 1)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file with the plan's table."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={
            "required": _("Choose the file to import."),
            "empty": _("The file is empty. Choose the spreadsheet again."),
            "invalid": _("No file was received. Choose the spreadsheet again."),
        },
    )

    def __init__(self, *args, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if help_text is not None:
            self.fields["file"].help_text = help_text

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the largest file accepted is %(limit)s MB."),
                params={"size": round(upload.size / 1024 / 1024, 1), "limit": round(limit / 1024 / 1024, 1)},
            )
        if not upload.name.lower().endswith((".xlsx", ".csv", ".txt")):
            raise forms.ValidationError(_("Choose an Excel workbook (.xlsx) or a CSV file."))
        self.content = upload.read()
        if self.content.startswith(b"PK\x03\x04"):
            # A workbook is a ZIP archive: judge it by its table of contents before openpyxl unpacks it.
            try:
                with zipfile.ZipFile(io.BytesIO(self.content)) as archive:
                    archive_within_limits(archive)
            except UnsafeFile:
                raise forms.ValidationError(
                    _(
                        "This workbook unpacks to far more than a plan's table needs. Save the table alone and upload it."
                    )
                ) from None
            except zipfile.BadZipFile:
                pass  # the importer explains a broken workbook
        return upload
