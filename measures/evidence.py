"""Checking evidence files: the type is read from the content, never from the name.

Every check does a bounded amount of work whatever the file holds: an archive is judged by its
table of contents and a few bytes of one entry (never unpacked whole), and a PDF is parsed by
pypdf with a cap on its pages and any failure taken as "not a PDF".
"""

import hashlib
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# What people may attach, by the type the content shows.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    "application/msword": "Word 97–2003",
}
# The extensions a file of each type may carry; the first is given to a file whose name has another.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    # Word, Excel and PowerPoint 97–2003 share one container.
    "application/msword": (".doc", ".xls", ".ppt"),
}
ACCEPT_ATTRIBUTE = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods"

OOXML_FOLDERS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# Only an OpenDocument file names its own type, in its `mimetype` entry; a ZIP naming any other
# type (an image, a PDF) is not what it says.
OPENDOCUMENT_TYPES = ("application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet")
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
# An office document holds tens or hundreds of parts; far more is an attack on whoever unpacks it.
MAX_ARCHIVE_ENTRIES = 10_000
# The OpenDocument `mimetype` entry is one short line; read no more than this of it.
MIMETYPE_READ_BYTES = 100
MAX_PDF_PAGES = 5_000


class UnsafeFile(Exception):
    """A file refused for what it holds; `code` names the reason."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def sniff_content_type(uploaded) -> str | None:
    """The file's type judged by its content: first bytes, then the archive's contents or the PDF's structure.

    Raises `UnsafeFile` for an archive that would unpack too far and a PDF that cannot be parsed.
    """
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        _check_pdf(uploaded)
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(OLE2_SIGNATURE):
        return "application/msword"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(uploaded)
    return None


def archive_within_limits(archive: zipfile.ZipFile):
    """Refuse an archive by its table of contents alone: too many entries, or more unpacked bytes than allowed.

    Sizes are those the archive declares; nothing is unpacked here, and whoever reads an entry
    afterwards reads a bounded amount of it."""
    entries = archive.infolist()
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise UnsafeFile("too_many_entries")
    if sum(entry.file_size for entry in entries) > settings.EVIDENCE_MAX_UNPACKED_BYTES:
        raise UnsafeFile("too_large_unpacked")


def _sniff_zip(uploaded) -> str | None:
    try:
        with zipfile.ZipFile(uploaded) as archive:
            archive_within_limits(archive)
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(MIMETYPE_READ_BYTES).decode("ascii", "replace").strip()
                return declared if declared in OPENDOCUMENT_TYPES else None
            if "[Content_Types].xml" in names:
                for folder, content_type in OOXML_FOLDERS.items():
                    if any(name.startswith(folder) for name in names):
                        return content_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, EOFError, NotImplementedError, ValueError):
        return None
    finally:
        uploaded.seek(0)
    return None


def _check_pdf(uploaded):
    """Parse the file as a PDF: a file that only starts like one (HTML after `%PDF-`, say) is refused."""
    from pypdf import PdfReader

    try:
        with warnings.catch_warnings():
            # pypdf warns about every small defect it repairs; a repaired file is still a PDF.
            warnings.simplefilter("ignore")
            reader = PdfReader(uploaded, strict=False)
            pages = len(reader.pages)
    except Exception:  # pypdf raises many kinds of errors (and RecursionError) on malformed input
        raise UnsafeFile("broken_pdf") from None
    finally:
        uploaded.seek(0)
    if not 0 < pages <= MAX_PDF_PAGES:
        raise UnsafeFile("broken_pdf")


def name_for_type(name: str, content_type: str) -> str:
    """The uploader's name with the extension of the type found: "report.html" holding a PDF becomes "report.pdf"."""
    path = PurePath(name)
    allowed = EXTENSIONS[content_type]
    if path.suffix.lower() in allowed and path.stem:
        return name
    stem = path.stem if path.suffix else path.name
    stem = stem.strip(". ") or "file"
    return f"{stem}{allowed[0]}"


@dataclass
class CheckedFile:
    uploaded: object
    name: str
    content_type: str
    size: int
    sha256: str

    @property
    def extension(self) -> str:
        return PurePath(self.name).suffix.lower()


def _refusal(code: str, name: str) -> ValidationError:
    limit = filesizeformat(settings.EVIDENCE_MAX_UNPACKED_BYTES)
    messages = {
        "too_many_entries": _("“%(name)s” holds too many files to be an office document.") % {"name": name},
        "too_large_unpacked": _("“%(name)s” unpacks to more than %(limit)s, the most an office document may hold.")
        % {"name": name, "limit": limit},
        "broken_pdf": _("“%(name)s” starts like a PDF but cannot be read as one. Save it as PDF again and attach it.")
        % {"name": name},
    }
    return ValidationError(messages[code], code=code)


def check_evidence_file(uploaded) -> CheckedFile:
    """Refuse a file that is empty, too large, or not of an allowed type; say which file and why."""
    name = uploaded.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    limit = settings.EVIDENCE_MAX_BYTES
    if uploaded.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    if uploaded.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    try:
        content_type = sniff_content_type(uploaded)
    except UnsafeFile as problem:
        raise _refusal(problem.code, name) from None
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(
            _("“%(name)s” is not a PDF, an image or an office document. Save it as PDF and attach it again.")
            % {"name": name},
            code="wrong_type",
        )
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedFile(
        uploaded=uploaded,
        name=name_for_type(name, content_type),
        content_type=content_type,
        size=uploaded.size,
        sha256=digest.hexdigest(),
    )
