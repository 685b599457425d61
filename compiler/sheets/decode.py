"""Text files in the encodings Chinese offices save them in.

Excel's "CSV UTF-8" writes a byte-order mark, WPS and Notepad often write GBK (which
GB18030 contains), and Excel's "Unicode text" writes UTF-16. A file that is not UTF-8
is never guessed at silently: when it reads as GB18030 the message says so and how to
re-save it, and `--encoding gb18030` reads it as such.
"""

from __future__ import annotations

import codecs

from compiler.sheets.problems import Problem, SheetError


def decode(data: bytes, encoding: str | None = None) -> str:
    """The text of a file's bytes: UTF-8 (with or without a BOM), UTF-16 with a BOM, or
    `encoding` when given; SheetError otherwise, naming the encoding it looks like."""
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise SheetError([Problem("", f"未知的编码“{encoding}”(常用:utf-8、gb18030)", f"unknown encoding ‘{encoding}’ (common ones: utf-8, gb18030)")]) from None
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as e:
            raise SheetError([Problem("", f"第 {e.start} 字节不能按 {encoding} 解码", f"byte {e.start} cannot be decoded as {encoding}")]) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise SheetError([Problem("", f"第 {e.start} 字节不是有效的 UTF-16", f"byte {e.start} is not valid UTF-16")]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        bad = e.start
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        raise SheetError([Problem("", f"第 {bad} 字节不是有效的 UTF-8", f"byte {bad} is not valid UTF-8")]) from None
    raise SheetError([Problem(
        "",
        f"文件不是 UTF-8 编码(第 {bad} 字节),看来是 GBK/GB18030(WPS、记事本常用)。"
        "请另存为“CSV UTF-8”或 UTF-8 编码,或加选项 --encoding gb18030 按 GB18030 读取",
        f"the file is not UTF-8 (byte {bad}); it looks like GBK/GB18030, as WPS and Notepad often save. "
        "Save it again as ‘CSV UTF-8’ (or UTF-8), or pass --encoding gb18030 to read it as GB18030",
    )]) from None  # fmt: skip
