"""Reading a request to `pool serve`, and refusing it: what is wrong, the HTTP status,
and the message in both languages from the one registry (compiler/messages.py)."""

from __future__ import annotations

import json
from typing import Any

from compiler.messages import TEXTS, Text
from compiler.scenario import Document

LANGS = ("zh", "en")


class Refused(Exception):
    """A request that cannot be answered: status, what kind of problem, and its messages."""

    def __init__(self, status: int, kind: str, message: Text, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message.en)
        self.status, self.kind, self.message, self.details = status, kind, message, details

    @classmethod
    def of(cls, status: int, kind: str, key: str, **args: object) -> Refused:
        text = TEXTS[key]
        shown: dict[str, str | Text] = {k: v if isinstance(v, Text) else str(v) for k, v in args.items()}
        return cls(status, kind, Text(text.render("zh", shown), text.render("en", shown)))

    def body(self, lang: str) -> dict[str, Any]:
        error: dict[str, Any] = {"kind": self.kind, "message": self.message.zh if lang == "zh" else self.message.en}
        if self.details is not None:
            error["diagnostics"] = self.details
        return {"error": error}


def bad_field(field: str, zh: str, en: str) -> Refused:
    """A field of the wrong shape; what was expected is said in each language."""
    return Refused.of(400, "request", "serve-field", field=field, expected=Text(zh, en))


def decode(body: bytes) -> dict[str, Any]:
    """A request body → its JSON object. Numbers with a fraction stay text, so no float
    ever holds money; NaN and Infinity stay text too and the scenario reader refuses them."""
    try:
        doc = json.loads(body.decode("utf-8-sig"), parse_float=str, parse_constant=str)
    except UnicodeDecodeError as e:
        raise Refused.of(400, "request", "serve-json", reason=f"byte {e.start} is not UTF-8") from None
    except json.JSONDecodeError as e:
        raise Refused.of(400, "request", "serve-json", reason=f"{e.msg} (line {e.lineno}, column {e.colno})") from None
    except (ValueError, RecursionError) as e:  # an integer of thousands of digits, or nesting too deep
        raise Refused.of(400, "request", "serve-json", reason=str(e)[:100]) from None
    if not isinstance(doc, dict):
        raise Refused.of(400, "request", "serve-object")
    return doc


def lang_of(req: dict[str, Any]) -> str:
    lang = req.get("lang", "zh")
    if lang not in LANGS:
        raise bad_field("lang", "“zh”或“en”", "‘zh’ or ‘en’")
    return str(lang)


def allow(req: dict[str, Any], known: set[str]) -> None:
    for field in req:
        if field not in known:
            raise Refused.of(400, "request", "serve-unknown-field", field=field, known=", ".join(sorted(known)))


def choice(req: dict[str, Any], field: str, options: tuple[str, ...]) -> str:
    value = req.get(field, options[0])
    if value not in options:
        shown = "、".join(options)
        raise bad_field(field, f"以下之一：{shown}", f"one of: {', '.join(options)}")
    return str(value)


def scenario_document(value: object, field: str) -> Document:
    """A scenario object from a request, as the JSON text the scenario reader takes.
    Positions in its messages refer to this text; the field path names the value."""
    wrong = bad_field(field, "情景对象（与情景文件的 JSON 相同）", "a scenario object (the scenario-file JSON)")
    if not isinstance(value, dict):
        raise wrong
    try:
        return Document(f"{field}.json", json.dumps(value, ensure_ascii=False, indent=2))
    except RecursionError:  # nested deeper than any scenario: the encoder's limit is below the decoder's
        raise wrong from None
