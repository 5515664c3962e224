"""Bytes of a text guide -> str, in the fixed order of BAD_INPUTS.md.

BOM (utf-8-sig, utf-32, utf-16) -> UTF-16 NUL-byte pattern -> strict UTF-8 -> strict gb18030
(never gbk: gb18030 is its superset) -> charset-normalizer restricted to utf_8, gb18030, big5,
utf_16 -> IngestError. charset-normalizer alone misreads short GBK text as cp949 or utf_16_be,
which is why it comes last and is restricted.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from extractors.errors import IngestError

MAX_TEXT_BYTES = 50 * 1024 * 1024
SHORT_TEXT_BYTES = 64
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
]
_DETECT_ALLOWED = ["utf_8", "gb18030", "big5", "utf_16"]
# a multi-byte UTF-8 sequence for a CJK character: lead E3-E9 plus two continuation bytes
_UTF8_CJK = re.compile(rb"[\xe3-\xe9][\x80-\xbf]{2}")


@dataclass
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM shows NULs in every other byte for ASCII (and many CJK)."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    # ASCII digits, punctuation and line breaks put a NUL in the high byte; CJK never does,
    # so a few percent of NULs, all on one side, is the signature.
    if odd_nuls >= max(2, 0.02 * half) and even_nuls * 10 <= odd_nuls:
        return "utf-16-le"
    if even_nuls >= max(2, 0.02 * half) and odd_nuls * 10 <= even_nuls:
        return "utf-16-be"
    return None


def _looks_mixed(data: bytes) -> bool:
    """Valid UTF-8 CJK runs next to bytes that are not UTF-8: two encodings in one file."""
    utf8_hits = len(_UTF8_CJK.findall(data))
    if utf8_hits < 4:
        return False
    stripped = _UTF8_CJK.sub(b"", data)
    high = sum(1 for b in stripped if b >= 0x80)
    return high >= 4


def decode_bytes(data: bytes, name: str = "<bytes>") -> Decoded:
    if not data:
        raise IngestError("EMPTY_FILE", f"{name} is empty (0 bytes)")
    if len(data) > MAX_TEXT_BYTES:
        raise IngestError("TOO_LARGE", f"{name} has {len(data)} bytes, over the {MAX_TEXT_BYTES}-byte cap")
    warnings: list[str] = []
    encoding = None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            encoding = enc
            break
    if encoding is None:
        encoding = _utf16_without_bom(data)
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise IngestError("ENCODING_UNKNOWN", f"{name}: declared {encoding} but bytes do not decode ({exc.reason})")
        return _finish(text, encoding, name, warnings, len(data))
    if b"\x00" in data:
        raise IngestError("BINARY_AS_TEXT", f"{name} contains NUL bytes: binary data, not text")
    try:
        return _finish(data.decode("utf-8"), "utf-8", name, warnings, len(data))
    except UnicodeDecodeError:
        pass
    if _looks_mixed(data):
        raise IngestError("ENCODING_MIXED", f"{name} mixes UTF-8 with another encoding")
    try:
        return _finish(data.decode("gb18030"), "gb18030", name, warnings, len(data))
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_DETECT_ALLOWED).best()
    if best is None:
        raise IngestError("ENCODING_UNKNOWN", f"{name}: not UTF-8, GB18030, Big5 or UTF-16")
    return _finish(str(best), best.encoding, name, warnings, len(data))


def _finish(text: str, encoding: str, name: str, warnings: list[str], size: int) -> Decoded:
    if "\x00" in text:
        raise IngestError("BINARY_AS_TEXT", f"{name} decodes with NUL characters: binary data, not text")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    if controls > max(8, len(text) // 100):
        raise IngestError("BINARY_AS_TEXT", f"{name} decodes to {controls} control characters: not text")
    if size < SHORT_TEXT_BYTES and encoding not in ("utf-8", "utf-8-sig"):
        warnings.append("ENCODING_AMBIGUOUS")
    return Decoded(text=text, encoding=encoding.replace("_", "-").lower(), warnings=warnings)
