"""Upload checks shared by every app: extension, size, and that the content matches the type."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SIGNATURES = {
    "pdf": [b"%PDF-"],
    "png": [b"\x89PNG\r\n\x1a\n"],
    "jpg": [b"\xff\xd8\xff"],
    "jpeg": [b"\xff\xd8\xff"],
    "xlsx": [b"PK\x03\x04"],
    "docx": [b"PK\x03\x04"],
}


def validate_upload(f, allowed: tuple[str, ...]) -> None:
    name = getattr(f, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in allowed:
        raise ValidationError(
            _("不支持的文件类型“%(ext)s”，请上传 %(allowed)s 文件。"),
            params={"ext": ext or "?", "allowed": "、".join(a.upper() for a in allowed)},
            code="file_type",
        )
    if f.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("文件过大（%(size)s MB），上限为 %(limit)s MB。"),
            params={"size": round(f.size / 1048576, 1), "limit": settings.UPLOAD_MAX_BYTES // 1048576},
            code="file_size",
        )
    head = f.read(8)
    f.seek(0)
    if not any(head.startswith(sig) for sig in SIGNATURES.get(ext, [b""])):
        raise ValidationError(
            _("文件内容与扩展名“%(ext)s”不符，请确认文件未损坏。"), params={"ext": ext}, code="file_content"
        )
