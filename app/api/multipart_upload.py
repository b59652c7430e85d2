"""One file from a `multipart/form-data` request body, streamed.

FastAPI's `UploadFile` (Starlette's `request.form()`) reads the whole body into a spooled
temporary file before the route runs: a 2 GB body would be read and written to disk before the
size limit could refuse it. Here python-multipart's push parser is fed from `request.stream()`
as the bytes arrive, and the file part's data is handed on piece by piece; the body is cut off
at the limit (a declared `Content-Length` over it is refused before reading anything).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from app.domain.attachments import MAX_BYTES, too_large
from app.domain.errors import ValidationFailed

FIELD = "file"
# Room for the multipart framing around the file: boundaries and part headers.
ENVELOPE_BYTES = 64 * 1024
MAX_BODY = MAX_BYTES + ENVELOPE_BYTES
# WHATWG's multipart/form-data encoding (browsers, httpx) writes these three as %-escapes in
# a file name; anything else stays as sent.
_FORM_ESCAPES = {"%22": '"', "%0D": "\r", "%0A": "\n", "%0d": "\r", "%0a": "\n"}


def _bad(msg: str) -> ValidationFailed:
    return ValidationFailed(msg, errors=[{"loc": ["body", FIELD], "msg": msg, "type": "value_error"}])


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


@dataclass
class _Part:
    headers: dict[str, bytes]
    name: str | None = None
    filename: str | None = None


class _Collector:
    """python-multipart's callbacks: the file part's headers, then its data as it comes."""

    def __init__(self) -> None:
        self.part: _Part | None = None
        self.field, self.value = b"", b""
        self.file: _Part | None = None
        self.data: list[bytes] = []
        self.file_ended = False
        self.ended = False

    def on_part_begin(self) -> None:
        self.part = _Part({})

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.value += data[start:end]

    def on_header_end(self) -> None:
        assert self.part is not None
        self.part.headers[self.field.decode("latin-1").lower()] = self.value
        self.field, self.value = b"", b""

    def on_headers_finished(self) -> None:
        assert self.part is not None
        _, options = parse_options_header(self.part.headers.get("content-disposition", b""))
        self.part.name = _text(options.get(b"name", b""))
        if b"filename" in options:
            name = _text(options[b"filename"])
            for escape, char in _FORM_ESCAPES.items():
                name = name.replace(escape, char)
            self.part.filename = name
        if self.part.name == FIELD:
            if self.file is not None:
                raise _bad("send one file per request")
            if self.part.filename is None:
                raise _bad("`file` must be a file part (with a filename)")
            self.file = self.part

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.part is not None and self.part is self.file:
            self.data.append(data[start:end])

    def on_part_end(self) -> None:
        if self.part is not None and self.part is self.file:
            self.file_ended = True

    def on_end(self) -> None:
        self.ended = True


@dataclass
class FileUpload:
    filename: str
    chunks: AsyncIterator[bytes]


async def read_file(request: Request) -> FileUpload:
    """The `file` part: its name now, its bytes as they arrive. 413 when the body is (or is
    declared) larger than the limit; 422 when it is not multipart or has no `file`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise too_large()
    ctype, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise _bad("send the file as multipart/form-data with a `file` part")
    collector = _Collector()
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": collector.on_part_begin,
            "on_header_field": collector.on_header_field,
            "on_header_value": collector.on_header_value,
            "on_header_end": collector.on_header_end,
            "on_headers_finished": collector.on_headers_finished,
            "on_part_data": collector.on_part_data,
            "on_part_end": collector.on_part_end,
            "on_end": collector.on_end,
        },
    )
    body = request.stream().__aiter__()
    received = 0

    async def feed() -> bool:
        """Parse the next piece of the body; False at its end."""
        nonlocal received
        try:
            chunk = await anext(body, None)
        except ClientDisconnect as exc:
            # Nobody reads the answer; a problem (not a 500) rolls the upload back quietly.
            raise _bad("the upload was interrupted") from exc
        if chunk is None:
            return False
        received += len(chunk)
        if received > MAX_BODY:
            raise too_large()
        try:
            parser.write(chunk)
        except MultipartParseError as exc:
            raise _bad("the multipart body is malformed") from exc
        return True

    while collector.file is None:
        if collector.ended or not await feed():
            raise _bad("the form has no `file` part")

    async def chunks() -> AsyncIterator[bytes]:
        while True:
            if collector.data:
                pending, collector.data = collector.data, []
                for piece in pending:
                    yield piece
            if collector.file_ended:
                break
            if not await feed():
                raise _bad("the body ended inside the file")
        # The rest of the form is read (bounded) only to refuse a second file.
        while not collector.ended and await feed():
            pass

    return FileUpload(collector.file.filename or "", chunks())
