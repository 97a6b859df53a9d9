"""Pictures pasted into an article body: `<img src="data:image/png;base64,…">` (UEditor and other
editors store them so). Archived like any image, under `images/`, but named by the hash of their
bytes (a data: URI is the picture itself, and can be megabytes long)."""

from __future__ import annotations

import hashlib
import re

from w3lib.url import parse_data_uri

_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF87a", ".gif"),
               (b"GIF89a", ".gif"), (b"BM", ".bmp"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"))
_SVG = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?<svg[\s>]",
                  re.S | re.I)


def is_data_uri(url: str) -> bool:
    return url[:5].lower() == "data:"


def image_extension(data: bytes) -> str | None:
    """The file extension of an image by its first bytes, or None when it is no image."""
    for magic, ext in _SIGNATURES:
        if data.startswith(magic):
            return ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    if _SVG.match(data[:2048]):
        return ".svg"
    return None


def decode(uri: str) -> tuple[bytes, str]:
    """The picture's bytes and extension; ValueError (with the reason) for a bad one."""
    try:
        parsed = parse_data_uri(uri)
    except Exception as error:  # noqa: BLE001 (w3lib raises ValueError or binascii.Error)
        raise ValueError(f"not a valid data: URI ({error})") from None
    ext = image_extension(parsed.data)
    if ext is None:
        raise ValueError(f"its bytes are not an image ({parsed.media_type}, "
                         f"{len(parsed.data)} bytes)")
    return parsed.data, ext


def pasted_name(uri: str) -> str:
    """images/ file name of a pasted picture: sha1 of its bytes, with its extension (sha1 of the
    URI itself when it does not decode: such a picture fails and is never written)."""
    try:
        data, ext = decode(uri)
    except ValueError:
        return hashlib.sha1(uri.encode("utf-8", "replace")).hexdigest()
    return hashlib.sha1(data).hexdigest() + ext


def shown(url: str, limit: int = 60) -> str:
    """A data: URI for a report or a summary: its start and its length, never all of it."""
    if not is_data_uri(url) or len(url) <= limit:
        return url
    return f"{url[:limit]}… ({len(url)} characters)"
