"""Bytes of a text guide -> str, in the fixed order of BAD_INPUTS.md.

BOM (utf-8-sig, utf-32, utf-16) -> UTF-16 NUL-byte pattern -> strict UTF-8 -> strict gb18030
(never gbk: gb18030 is its superset; when the result is implausible as simplified Chinese and the
bytes are strict Big5, Big5) -> charset-normalizer restricted to utf_8, gb18030, big5, utf_16 ->
IngestError. charset-normalizer alone misreads short GBK text as cp949 or utf_16_be,
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
    # ASCII digits, punctuation and line breaks put a NUL in the high byte; CJK never does,
    # so NULs mostly on one side is the signature (CJK like U+9700 需 adds a few on the other;
    # binary data has them evenly on both).
    if odd_nuls >= 2 and even_nuls * 3 <= odd_nuls:
        return "utf-16-le"
    if even_nuls >= 2 and odd_nuls * 3 <= even_nuls:
        return "utf-16-be"
    return None


def _utf16_cjk_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM and without ASCII has no NUL bytes to betray it. Decoded the right way
    it is mostly common Chinese characters; GB18030 or Big5 bytes read as UTF-16 land in Hangul,
    surrogates and the private-use area instead, and UTF-8 has been tried before."""
    if len(data) < 8 or len(data) % 2:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data[:8192].decode(enc)
        except UnicodeDecodeError:
            continue
        cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
        if cjk >= 0.5 * len(text) and _plausible_simplified(text):
            return enc
    return None


def _looks_mixed(data: bytes) -> bool:
    """Some lines are valid UTF-8 with CJK in them, others only decode as gb18030: two encodings.
    (Byte-level checks misfire: GBK pairs often look like UTF-8 sequences by chance.)"""
    utf8_lines = other_lines = 0
    for line in data.splitlines():
        if max(line, default=0) < 0x80:
            continue
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError:
            other_lines += 1
            continue
        # short GBK lines can be valid UTF-8 by chance ("目 录" -> "Ŀ ¼"), but not as CJK
        utf8_lines += any("\u4e00" <= c <= "\u9fff" for c in decoded)
    return utf8_lines >= 1 and other_lines >= 1 and utf8_lines + other_lines >= 2


_FOREIGN = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u3040-\u30ff]")  # Greek, Cyrillic, kana


def _plausible_simplified(text: str) -> bool:
    """Big5 bytes nearly always decode as gb18030 too, into rare characters and stray kana.
    Real simplified Chinese is mostly GB2312 level-1 characters (bytes B0A1-D7F9)."""
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if len(cjk) < 8:
        return True
    common = 0
    for c in cjk:
        b = c.encode("gb18030")
        common += len(b) == 2 and 0xB0 <= b[0] <= 0xD7
    foreign = len(_FOREIGN.findall(text))
    return common >= 0.7 * len(cjk) and foreign <= len(cjk) // 50


def _strict_big5(data: bytes) -> str | None:
    try:
        text = data.decode("big5")
    except UnicodeDecodeError:
        return None
    return text if not _FOREIGN.search(text) else None


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
    if encoding is not None:
        try:
            return _finish(data.decode(encoding), encoding, name, warnings, len(data))
        except UnicodeDecodeError as exc:
            raise IngestError("ENCODING_UNKNOWN", f"{name}: starts with a {encoding} BOM but does not decode ({exc.reason})")
    encoding = _utf16_without_bom(data)
    if encoding is not None:
        try:
            return _finish(data.decode(encoding), encoding, name, warnings, len(data))
        except UnicodeDecodeError:
            raise IngestError("BINARY_AS_TEXT", f"{name} has NUL bytes but is not UTF-16: binary data, not text")
    if b"\x00" in data:
        raise IngestError("BINARY_AS_TEXT", f"{name} contains NUL bytes: binary data, not text")
    try:
        return _finish(data.decode("utf-8"), "utf-8", name, warnings, len(data))
    except UnicodeDecodeError:
        pass
    cjk16 = _utf16_cjk_without_bom(data)
    if cjk16 is not None:
        try:
            return _finish(data.decode(cjk16), cjk16, name, warnings, len(data))
        except UnicodeDecodeError:
            pass  # plausible at the start, broken further on: not UTF-16 after all
    if _looks_mixed(data):
        raise IngestError("ENCODING_MIXED", f"{name} mixes UTF-8 with another encoding")
    try:
        text = data.decode("gb18030")
        if _plausible_simplified(text) or not _strict_big5(data):
            return _finish(text, "gb18030", name, warnings, len(data))
        return _finish(_strict_big5(data), "big5", name, warnings, len(data))
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
