"""The position-keeping reader beneath scenario files, stochastic scenarios and case files
(compiler/docread.py). The readers on top are tested through the commands that use them
(test_run.py, test_stochastic.py, test_pool_test.py, test_sheets.py); these pin the parts
they share."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from compiler import docread
from compiler.docread import FieldError, Reader
from compiler.messages import Text

WHAT = Text("一份文件", "a file")


def composed(text: str, is_json: bool = False) -> yaml.Node:
    root, errors = docread.compose_text(text, is_json)
    assert root is not None, errors
    return root


def test_a_mapping_keeps_the_first_of_a_repeated_key_and_says_where_the_second_is() -> None:
    r = Reader()
    got = r.mapping(composed("a: 1\nb: 2\na: 3\n"), "top")
    assert [(key, docread.text_of(v)) for key, _, v in got] == [("a", "1"), ("b", "2")]
    assert r.errors == [FieldError("top.a", 3, 1, "键重复出现", "duplicate key")]


def test_a_mapping_expected_where_there_is_none() -> None:
    r = Reader()
    assert r.mapping(composed("x: [1, 2]\n").value[0][1], "x") == []
    assert [(e.field, e.line, e.column, e.en) for e in r.errors] == [
        ("x", 1, 4, "expected an object (key: value pairs)")
    ]


def test_unknown_keys_list_what_is_known_in_the_order_given() -> None:
    r = Reader()
    [(_, k, _)] = r.mapping(composed('{"z": 1}', is_json=True), "")
    r.unknown(k, "z", ["b", "a"])
    assert r.errors[0].render("f.json", "en") == "f.json:1:2: z: unknown field (known: b, a)"
    assert r.errors[0].render("f.json", "zh") == "f.json:1:2: z: 未知字段(可用:b、a)"


def test_json_is_held_to_json_and_numbers_stay_text() -> None:
    root, errors = docread.compose_text("{a: 1}", is_json=True)
    assert root is None and (errors[0].line, errors[0].column) == (1, 2) and errors[0].en.startswith("not valid JSON")
    root = composed('{"a": 0.1000000000000000000001}', is_json=True)
    assert docread.text_of(root.value[0][1]) == "0.1000000000000000000001"
    assert docread.compose_text("", is_json=False) == (None, [FieldError("", 1, 1, "文件为空", "the file is empty")])
    _, [bad] = docread.compose_text("a: [1\n", is_json=False)
    assert bad.line == 2 and bad.en.startswith("malformed")


def test_files_too_large_or_missing_or_badly_encoded(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "1" * 100 + "\n")
    root, [e] = docread.compose_file(big, 50, WHAT)
    assert root is None and "a file" in e.en
    root, [e] = docread.compose_file(tmp_path / "none.yaml", 50, WHAT)
    assert root is None and e.en.startswith("cannot read")
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("地区: 贵阳市\n".encode("gb18030"))
    root, [e] = docread.compose_file(gbk, 1000, WHAT)
    assert root is None and "GB18030" in e.en
    root, errors = docread.compose_file(gbk, 1000, WHAT, encoding="gb18030")
    assert errors == [] and root is not None and docread.text_of(root.value[0][1]) == "贵阳市"


def test_scalars() -> None:
    assert [docread.boolean(t) for t in ("是", "true", "True", "否", "false", "False", "yes", "")] == [True] * 3 + [
        False
    ] * 3 + [None] * 2
    assert (
        docread.percent("8%") == ("8", True)
        and docread.percent("8％") == ("8", True)
        and docread.percent("0.08") == ("0.08", False)
    )
    assert docread.decimal("1.50") == Decimal("1.50") and docread.decimal("一") is None
    assert docread.text_of(None) == "" and docread.text_of(composed("[1]")) == ""


def test_keys_looked_for_and_left_out() -> None:
    root = composed("base: a.json\nyears: 3\nperiod: 2026\n")
    assert docread.has_key(root, {"years"}) and not docread.has_key(root, {"growth"})
    assert not docread.has_key(composed("[years]"), {"years"})
    assert isinstance(root, yaml.MappingNode)
    rest = docread.without(root, {"base", "years"})
    assert [k.value for k, _ in rest.value] == ["period"] and docread.position(rest) == docread.position(root)
