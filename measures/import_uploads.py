"""Keeping an uploaded plan between its preview and the administrator's confirmation.

The file is stored through Django's storage API (so every web server sees it) under a random
token; the token is remembered in the uploader's session with the file's checksum. Confirming
reads the file back from storage — never from the form — and only for the session that
uploaded it. Files are removed on confirmation, on a new upload, and after a day.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

SESSION_KEY = "measure_imports"
FOLDER = "imports"
KEEP_FOR = timedelta(days=1)


@dataclass
class StoredUpload:
    token: str
    edition_id: int
    filename: str
    content: bytes


def _path(token: str) -> str:
    return f"{FOLDER}/{token}.upload"


def upload_keep(*, session, edition_id: int, filename: str, content: bytes) -> str:
    """Store the file, forget the session's earlier uploads, and return the new token."""
    for token in list(session.get(SESSION_KEY, {})):
        upload_discard(session=session, token=token)
    _sweep()
    token = secrets.token_urlsafe(24)
    default_storage.save(_path(token), ContentFile(content))
    uploads = session.get(SESSION_KEY, {})
    uploads[token] = {
        "edition": edition_id,
        "filename": filename[:200],
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    session[SESSION_KEY] = uploads
    return token


def upload_get(*, session, token: str, edition_id: int) -> StoredUpload | None:
    """The file stored under the token, if this session uploaded it for this edition and it is intact."""
    entry = session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["edition"] != edition_id or not default_storage.exists(_path(token)):
        return None
    with default_storage.open(_path(token), "rb") as stored:
        content = stored.read()
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        return None
    return StoredUpload(token=token, edition_id=edition_id, filename=entry["filename"], content=content)


def upload_discard(*, session, token: str):
    uploads = session.get(SESSION_KEY, {})
    uploads.pop(token, None)
    session[SESSION_KEY] = uploads
    if default_storage.exists(_path(token)):
        default_storage.delete(_path(token))


def _sweep():
    """Remove uploads nobody confirmed within a day."""
    try:
        _folders, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return
    oldest = timezone.now() - KEEP_FOR
    for name in files:
        path = f"{FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < oldest:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue
