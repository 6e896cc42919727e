"""Checking evidence files: the type is read from the content, never from the name."""

import hashlib
import zipfile
from dataclasses import dataclass

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
ACCEPT_ATTRIBUTE = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods"

OOXML_FOLDERS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")


def sniff_content_type(uploaded) -> str | None:
    """The file's type judged by its first bytes (and, for office files, what the archive holds)."""
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
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
        # Word, Excel and PowerPoint 97–2003 share one container; all are accepted as office documents.
        return "application/msword"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(uploaded)
    return None


def _sniff_zip(uploaded) -> str | None:
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared in ALLOWED_TYPES else None
            if "[Content_Types].xml" in names:
                for folder, content_type in OOXML_FOLDERS.items():
                    if any(name.startswith(folder) for name in names):
                        return content_type
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        uploaded.seek(0)
    return None


@dataclass
class CheckedFile:
    uploaded: object
    name: str
    content_type: str
    size: int
    sha256: str


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
    content_type = sniff_content_type(uploaded)
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
        uploaded=uploaded, name=name, content_type=content_type, size=uploaded.size, sha256=digest.hexdigest()
    )
