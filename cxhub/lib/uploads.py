"""One check for every file people upload (research attachments, persona photos): the name's
extension must be an accepted type, the size within the limit, and the first bytes must agree with
the extension — the name alone proves nothing."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# Extension → (content type, the file's first bytes, or None for UTF-8 text).
FILE_TYPES: dict[str, tuple[str, bytes | None]] = {
    "pdf": ("application/pdf", b"%PDF"),
    "png": ("image/png", b"\x89PNG"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    "txt": ("text/plain; charset=utf-8", None),
    "csv": ("text/csv; charset=utf-8", None),
}
IMAGE_EXTENSIONS = ("png", "jpg", "jpeg")


def checked_upload(
    upload: "UploadedFile[Any]", *, extensions: tuple[str, ...], max_mb: int, field: str = "file"
) -> tuple[str, str]:
    """The upload's clean file name and content type, or ValidationError on `field` saying what is wrong."""
    name = (upload.name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in extensions:
        raise ValidationError(
            {
                field: _("%(name)s: this type is not accepted; use %(types)s.")
                % {"name": name, "types": ", ".join(sorted(extensions))}
            }
        )
    size = upload.size or 0
    if size > max_mb * 1024 * 1024:
        raise ValidationError({field: _("%(name)s is larger than %(mb)s MB.") % {"name": name, "mb": max_mb}})
    if size == 0:
        raise ValidationError({field: _("%(name)s is empty.") % {"name": name}})
    content_type, magic = FILE_TYPES[extension]
    head = upload.read(2048)
    upload.seek(0)
    if magic is not None and not head.startswith(magic):
        raise ValidationError({field: _("%(name)s is not really a .%(ext)s file.") % {"name": name, "ext": extension}})
    if magic is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 4:  # a multi-byte character cut at the 2 KB boundary is fine
                raise ValidationError({field: _("%(name)s is not UTF-8 text.") % {"name": name}}) from None
    return name, content_type
