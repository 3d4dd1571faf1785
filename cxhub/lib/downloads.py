"""Serving a stored file from a view that has already checked who may have it."""

from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.functional import Promise


def stored_file(file: FieldFile, *, missing: str | Promise, **options: Any) -> FileResponse:
    """The file as a response; a file the storage no longer has (deleted, a lost volume, a restore
    without files) is a 404 that says so, not a server error."""
    if not file:
        raise Http404(missing)
    try:
        handle = file.open("rb")
    except OSError:  # FileNotFoundError, or a storage that cannot be read
        raise Http404(missing) from None
    return FileResponse(handle, **options)
