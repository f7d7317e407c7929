"""Reading a ``multipart/form-data`` body (what ``kernelci.storage.upload_files`` sends).

The standard library's MIME parser does the parsing; this only turns its
parts into form fields and files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser


class MalformedForm(ValueError):
    """Not a multipart body, or a part without a field name."""


@dataclass(frozen=True)
class Upload:
    field: str
    filename: str
    content_type: str | None
    body: bytes


@dataclass
class Form:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[Upload] = field(default_factory=list)

    def value(self, name: str) -> str | None:
        values = self.fields.get(name) or []
        return values[-1] if values else None


def parse(content_type: str, body: bytes) -> Form:
    try:
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    except UnicodeEncodeError:
        raise MalformedForm("the multipart/form-data Content-Type is not Latin-1 text") from None
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise MalformedForm("the body is not multipart/form-data with a boundary")
    form = Form()
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            raise MalformedForm("a form part has no name")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            form.fields.setdefault(str(name), []).append(payload.decode("utf-8", "replace"))
        else:
            declared = part.get("content-type")
            form.files.append(Upload(str(name), filename, part.get_content_type() if declared else None, payload))
    return form
