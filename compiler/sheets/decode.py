"""Text files in the encodings Chinese offices save them in.

Excel's "CSV UTF-8" writes a byte-order mark, WPS and Notepad often write GBK (which
GB18030 contains), and Excel's "Unicode text" writes UTF-16. A file that is not UTF-8
is never guessed at silently: when it reads as GB18030 the message says so and how to
re-save it, and `--encoding gb18030` reads it as such.
"""

from __future__ import annotations

import codecs

from compiler.sheets.problems import fail


def decode(data: bytes, encoding: str | None = None) -> str:
    """The text of a file's bytes: UTF-8 (with or without a BOM), UTF-16 with a BOM, or
    `encoding` when given; SheetError otherwise, naming the encoding it looks like."""
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise fail("unknown-encoding", encoding=encoding) from None
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as e:
            raise fail("cannot-decode", byte=str(e.start), encoding=encoding) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise fail("bad-utf16", byte=str(e.start)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        bad = e.start
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        raise fail("bad-utf8", byte=str(bad)) from None
    raise fail("looks-gb18030", byte=str(bad)) from None
