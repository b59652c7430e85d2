"""JPEG uploads lose their metadata before they are stored (issue 9 point 5: a phone photo of a
rash carries the GPS position of the patient's home and the phone's serial number).

Lossless, not re-encoded: the file's marker segments are walked and the metadata ones left out
(APP1 Exif and XMP, APP13 IPTC/Photoshop, the other APPn, COM, and anything after the image's
end, where MPF pictures with their own Exif hide), while the compressed image data is copied
byte for byte, so the pixels are exactly the original's. The orientation, which decides how the
pixels are shown, goes back in as an Exif segment holding only that tag. Re-encoding through
Pillow (`ImageOps.exif_transpose` + save) would be simpler but loses quality on every upload
and changes what the clinician sees.

Pillow reads the Exif block (TIFF structure, byte order, IFD offsets) and writes the new one;
the walk here only follows JPEG's segment framing (marker, 2-byte length). The whole file is
held once in memory (at most MAX_BYTES) and the output is slices of it: bounded by the file
size plus a small constant, never a second copy.
"""

from __future__ import annotations

from collections.abc import Iterator

from PIL import Image

ORIENTATION_TAG = 0x0112
# APPn segments kept: JFIF (APP0), the ICC colour profile (APP2) and Adobe's colour transform
# (APP14): without them colours or CMYK decoding change. Identified by their leading name.
_KEEP_APP = {0xE0: (b"JFIF\x00",), 0xE2: (b"ICC_PROFILE\x00",), 0xEE: (b"Adobe",)}
_SOS, _EOI = 0xDA, 0xD9
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RST0-7 carry no length


class DamagedJpeg(ValueError):
    """The file starts like a JPEG but its segments do not hold together."""


def _orientation(exif_payload: bytes) -> int | None:
    exif = Image.Exif()
    try:
        exif.load(exif_payload)
    except Exception:  # a damaged Exif block is dropped like any other
        return None
    value = exif.get(ORIENTATION_TAG)
    return value if isinstance(value, int) and 2 <= value <= 8 else None


def _orientation_segment(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    payload = exif.tobytes()  # b"Exif\0\0" + a TIFF block with one tag
    return b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload


def _next_marker(data: bytes | bytearray, start: int) -> int:
    """The position of the marker that ends entropy-coded data starting at `start`: an 0xFF not
    followed by 0x00 (a stuffed byte), a restart marker, or another 0xFF (fill)."""
    i = start
    while True:
        j = data.find(b"\xff", i)
        if j < 0 or j + 1 >= len(data):
            raise DamagedJpeg("the image data has no end")
        following = data[j + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            i = j + 2
        elif following == 0xFF:
            i = j + 1
        else:
            return j


def _segments(buf: bytes | bytearray) -> Iterator[tuple[int, int, int]]:
    """(marker, start, end) of each segment, in order, up to and including the first EOI."""
    n, pos = len(buf), 2
    while True:
        if pos + 1 >= n or buf[pos] != 0xFF:
            raise DamagedJpeg("a segment does not start with a marker")
        while pos + 1 < n and buf[pos + 1] == 0xFF:  # fill bytes before a marker
            pos += 1
        marker = buf[pos + 1]
        if marker == _EOI:
            yield marker, pos, pos + 2
            return
        if marker in _STANDALONE:
            yield marker, pos, pos + 2
            pos += 2
            continue
        if pos + 4 > n:
            raise DamagedJpeg("a segment is cut off")
        end = pos + 2 + int.from_bytes(buf[pos + 2 : pos + 4], "big")
        if end > n or end < pos + 4:
            raise DamagedJpeg("a segment is cut off")
        if marker == _SOS:
            end = _next_marker(buf, end)  # the scan's entropy-coded data goes with it
        yield marker, pos, end
        pos = end


def strip_metadata(data: bytes | bytearray) -> list[memoryview | bytes]:
    """The JPEG without metadata, as pieces to write in order (slices of `data` plus the new
    orientation segment)."""
    buf = memoryview(data)
    if data[:3] != b"\xff\xd8\xff":
        raise DamagedJpeg("not a JPEG")
    pieces: list[memoryview | bytes] = [buf[:2]]
    orientation: int | None = None
    for marker, start, end in _segments(data):
        if marker == 0xE1 and data[start + 4 : start + 10] == b"Exif\x00\x00" and orientation is None:
            orientation = _orientation(bytes(data[start + 4 : end]))
        if marker == 0xFE or (0xE0 <= marker <= 0xEF and not _kept_app(data, marker, start)):
            continue
        pieces.append(buf[start:end])
    if orientation is not None:
        # After JFIF's APP0 when there is one (JFIF wants to come first), else right after SOI.
        at = 2 if len(pieces) > 1 and bytes(pieces[1][:2]) == b"\xff\xe0" else 1
        pieces.insert(at, _orientation_segment(orientation))
    return pieces


def _kept_app(data: bytes | bytearray, marker: int, start: int) -> bool:
    return any(data[start + 4 : start + 4 + len(name)] == name for name in _KEEP_APP.get(marker, ()))
