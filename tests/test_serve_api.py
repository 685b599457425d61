"""`pool serve` over real HTTP on an ephemeral loopback port: every endpoint on the bundled
policies gives what the CLI prints, and bad requests get 4xx with the CLI's messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

httpx = pytest.importorskip("httpx")
pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from compiler import api
from compiler.cli import main
from compiler.serve.app import create_app
from compiler.serve.background import running
from compiler.serve.catalog import Catalog, bundled_dir
from compiler.serve.service import Limits, Service

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
GUIZHOU = "guizhou_risk_adjustment"
SCENARIO = json.loads((POLICIES / "scenarios" / "guizhou_2026.json").read_text(encoding="utf-8"))
# Each bundled policy with the JSON scenario it is run on.
RUNS = {
    "guizhou_risk_adjustment": "guizhou_2026.json",
    "guiyang_county_budget": "guiyang_county_budget.json",
    "jilin_city_pooling": "jilin_city_pooling.json",
    "ningbo_city_pooling": "ningbo_2022.json",
    "ningbo_contributions": "ningbo_contributions.json",
}


def service(**limits: float) -> Service:
    folder = bundled_dir()
    assert folder is not None
    return Service(Catalog([(folder, "bundled")]), Limits(**limits))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with running(create_app(service(), hosts={"127.0.0.1"})) as base, httpx.Client(base_url=base, timeout=120) as c:
        yield c


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout


def error(r: httpx.Response, status: int, kind: str) -> dict[str, object]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert "Traceback" not in r.text
    body = r.json()["error"]
    assert body["kind"] == kind
    return body  # type: ignore[no-any-return]


# ---- every endpoint, against the CLI ------------------------------------------------------


def test_policies_lists_the_bundled_ones_with_their_samples(client: httpx.Client) -> None:
    got = {p["name"]: p for p in client.get("/policies").json()}
    assert sorted(got) == sorted(p.stem for p in POLICIES.glob("*.pool"))
    assert all(p["ok"] and p["origin"] == "bundled" for p in got.values())
    assert got[GUIZHOU]["title"] == "贵州省基本医疗保险省级风险调剂"
    assert got[GUIZHOU]["scenarios"] == [
        "guizhou_2026",
        "guizhou_risk_adjustment.readings",
    ]  # the last prices its readings
    shown = client.get(f"/policies/{GUIZHOU}").json()
    assert shown["source"] == (POLICIES / f"{GUIZHOU}.pool").read_text(encoding="utf-8")
    assert shown["scenarios"]["guizhou_2026"]["regions"]["贵阳市"]["上年度征缴收入"] == "1000000000.00"


@pytest.mark.parametrize("name", sorted(RUNS))
def test_run_answers_exactly_what_pool_run_json_prints(client: httpx.Client, name: str) -> None:
    path = POLICIES / "scenarios" / RUNS[name]
    code, expected = cli("run", str(POLICIES / f"{name}.pool"), str(path), "--json")
    assert code == 0
    scenario = json.loads(path.read_text(encoding="utf-8"))
    r = client.post("/run", json={"policy": name, "scenario": scenario})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.text == expected
    # The same text sent as source gives the same ledger.
    source = (POLICIES / f"{name}.pool").read_text(encoding="utf-8")
    assert client.post("/run", json={"source": source, "scenario": scenario}).text == expected


def test_check_gives_the_diagnostics_of_pool_check(client: httpx.Client) -> None:
    for path in sorted(POLICIES.glob("*.pool")):
        _, expected = cli(
            "check", str(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path), "--format", "json"
        )
        got = client.post("/check", json={"policy": path.stem}).json()
        assert got["ok"] is True
        assert got["diagnostics"] == json.loads(expected)


def test_check_of_a_misspelt_name_points_at_it_in_either_language(client: httpx.Client) -> None:
    source = (POLICIES / f"{GUIZHOU}.pool").read_text(encoding="utf-8")
    line = next(i for i, text in enumerate(source.split("\n"), 1) if "上年度征缴收入 ×" in text)
    bad = source.replace("上年度征缴收入 ×", "上年度征缴收人 ×", 1)
    got = client.post("/check", json={"source": bad}).json()
    assert got["ok"] is False and got["counts"]["error"] >= 1
    first = next(d for d in got["diagnostics"] if d["code"] == "E201")
    assert first["line"] == line and first["file"] == "policy.pool"
    assert "上年度征缴收人" in first["message"] and first["hint"] == "你是不是想写“上年度征缴收入”?"
    english = client.post("/check", json={"source": bad, "lang": "en"}).json()
    assert "undefined" in next(d for d in english["diagnostics"] if d["code"] == "E201")["message"]


@pytest.mark.parametrize("name", sorted(p.stem for p in POLICIES.glob("*.pool")))
def test_explain_and_schema_are_those_of_the_cli(client: httpx.Client, name: str) -> None:
    path = str(POLICIES / f"{name}.pool")
    for fmt, lang in (("html", "zh"), ("md", "en")):
        _, expected = cli("explain", path, "--format", fmt, "--lang", lang)
        r = client.post("/explain", json={"policy": name, "format": fmt, "lang": lang})
        assert r.status_code == 200 and r.text == expected
        if fmt == "html":
            assert r.headers["content-type"].startswith("text/html")
            assert r.headers["content-security-policy"].startswith("default-src 'none'; style-src 'sha256-")
    _, expected = cli("explain", path, "--format", "md", "--audience", "review", "--appendix")
    r = client.post("/explain", json={"policy": name, "format": "md", "audience": "review", "appendix": True})
    assert r.status_code == 200 and r.text == expected
    assert client.post("/explain", json={"policy": name, "audience": "everyone"}).status_code == 400
    _, expected = cli("schema", path)
    assert client.get("/schema", params={"policy": name}).json() == json.loads(expected)
    assert client.post("/schema", json={"policy": name}).json() == json.loads(expected)


def test_simulate_carries_balances_as_pool_simulate(client: httpx.Client, tmp_path: Path) -> None:
    second = yaml.safe_load((POLICIES / "scenarios" / "guizhou_2027.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "guizhou_2027.json"
    path.write_text(json.dumps(second, ensure_ascii=False), encoding="utf-8")
    code, expected = cli(
        "simulate",
        str(POLICIES / f"{GUIZHOU}.pool"),
        str(POLICIES / "scenarios" / "guizhou_2026.json"),
        str(path),
        "--json",
    )
    assert code == 0
    r = client.post("/simulate", json={"policy": GUIZHOU, "scenarios": [SCENARIO, second]})
    assert r.status_code == 200 and r.text == expected
    assert [p["period"] for p in r.json()] == [2026, 2027]


def test_simulate_with_draws_is_pool_simulate_draws_on_the_vector_engine(client: httpx.Client, tmp_path: Path) -> None:
    plan = yaml.safe_load((POLICIES / "scenarios" / "ningbo_stochastic.yaml").read_text(encoding="utf-8"))
    base = json.loads((POLICIES / "scenarios" / plan.pop("base")).read_text(encoding="utf-8"))
    inline = {**base, **plan}  # over the service the base period is given inline: `base` would name a file
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(inline, ensure_ascii=False), encoding="utf-8")
    policy = str(POLICIES / "ningbo_city_pooling.pool")
    code, expected = cli("simulate", policy, str(path), "--draws", "200", "--seed", "7", "--engine", "vector", "--json")
    assert code == 0
    r = client.post("/simulate", json={"policy": "ningbo_city_pooling", "scenario": inline, "draws": 200, "seed": 7})
    assert r.status_code == 200
    assert r.text == expected.replace(json.dumps(str(path))[1:-1], "scenario.json")
    too_many = client.post("/simulate", json={"policy": "ningbo_city_pooling", "scenario": inline, "draws": 10_001})
    assert error(too_many, 413, "request")["message"] == "“draws”最多 10000 项"
    named = client.post(
        "/simulate",
        json={"policy": "ningbo_city_pooling", "scenario": {**plan, "base": "../../etc/passwd"}, "draws": 5},
    )
    assert "这里不能引用文件" in str(error(named, 422, "scenario")["message"])


def test_trace_is_pool_run_explain(client: httpx.Client) -> None:
    target = "基础上解额@贵阳市"
    _, expected = cli(
        "run", str(POLICIES / f"{GUIZHOU}.pool"), str(POLICIES / "scenarios" / "guizhou_2026.json"), "--explain", target
    )
    r = client.post("/trace", json={"policy": GUIZHOU, "scenario": SCENARIO, "target": target})
    assert r.status_code == 200 and r.text == expected and "50,000,000.00元" in r.text
    body = error(
        client.post("/trace", json={"policy": GUIZHOU, "scenario": SCENARIO, "target": "不存在"}), 422, "evaluation"
    )
    assert body["message"] == "scenario.json: 没有名为“不存在”的值\n"


def test_diff_shows_the_change_and_its_money(client: httpx.Client, tmp_path: Path) -> None:
    source = (POLICIES / f"{GUIZHOU}.pool").read_text(encoding="utf-8")
    raised = source.replace("参数 基础上解比例: 比例 = 10%", "参数 基础上解比例: 比例 = 12%", 1)
    assert raised != source
    new = tmp_path / "new.pool"
    new.write_text(raised, encoding="utf-8")
    old = tmp_path / "old.pool"
    old.write_text(source, encoding="utf-8")
    code, expected = cli(
        "diff", str(old), str(new), "--scenario", str(POLICIES / "scenarios" / "guizhou_2026.json"), "--format", "json"
    )
    assert code == 1
    r = client.post("/diff", json={"old": {"source": source}, "new": {"source": raised}, "scenario": SCENARIO})
    assert r.status_code == 200
    scenario = str(POLICIES / "scenarios" / "guizhou_2026.json")

    def named(text: str, *pairs: tuple[str, str]) -> str:
        for name, shown in pairs:
            text = text.replace(json.dumps(name, ensure_ascii=False)[1:-1], shown)
        return text

    got = named(r.text, ("old.pool", "OLD"), ("new.pool", "NEW"), ("scenario.json", "SCENARIO"))
    want = named(expected, (str(old), "OLD"), (str(new), "NEW"), (scenario, "SCENARIO"))
    assert got == want and "基础上解比例" in got and '"impact": null' not in got
    same = client.post("/diff", json={"old": {"policy": GUIZHOU}, "new": {"source": source}, "format": "md"})
    assert same.status_code == 200 and same.headers["content-type"].startswith("text/markdown")


def test_import_reads_an_uploaded_scenario_without_floats(client: httpx.Client) -> None:
    data = (POLICIES / "scenarios" / "guizhou_2026.json").read_bytes().replace(b'"300000000.00"', b"300000000.10", 1)
    got = client.post("/import", params={"format": "json"}, content=data).json()["scenario"]
    assert got["regions"]["安顺市"]["上年度征缴收入"] == "300000000.10"  # the number's text, not a float's
    body = error(client.post("/import", params={"format": "ods"}, content=b"x"), 422, "request")
    assert str(body["message"]).startswith("不支持的文件格式“ods”")


def test_an_uploaded_spreadsheet_settles_like_the_json(client: httpx.Client) -> None:
    _, expected = cli(
        "run", str(POLICIES / f"{GUIZHOU}.pool"), str(POLICIES / "scenarios" / "guizhou_2026.json"), "--json"
    )
    csv = (POLICIES / "scenarios" / "guizhou_2026.csv").read_bytes()  # 万元 cells and thousands separators
    scenario = client.post("/import", params={"format": "csv"}, content=csv).json()["scenario"]
    assert client.post("/run", json={"policy": GUIZHOU, "scenario": scenario}).text == expected
    from compiler.driver import check_file
    from compiler.scenario import load
    from compiler.sheets import template_bytes

    checked = check_file(POLICIES / f"{GUIZHOU}.pool").policy
    assert checked is not None
    scen, _ = load(POLICIES / "scenarios" / "guizhou_2026.json", checked)
    workbook = template_bytes(checked, "xlsx", scen)  # the bundled scenario saved as xlsx
    scenario = client.post("/import", params={"format": "xlsx"}, content=workbook).json()["scenario"]
    assert client.post("/run", json={"policy": GUIZHOU, "scenario": scenario}).text == expected
    body = error(
        client.post("/import", params={"format": "xlsx", "lang": "en"}, content=b"not a workbook"), 422, "scenario"
    )
    assert str(body["message"]).startswith("upload.xlsx")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_run_as_a_spreadsheet_is_pool_run_format(client: httpx.Client, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"r.{fmt}"
    code, _ = cli(
        "run",
        str(POLICIES / f"{GUIZHOU}.pool"),
        str(POLICIES / "scenarios" / "guizhou_2026.json"),
        "--format",
        fmt,
        "-o",
        str(out),
    )
    assert code == 0
    r = client.post("/run", json={"policy": GUIZHOU, "scenario": SCENARIO, "format": fmt})
    assert r.status_code == 200 and r.content == out.read_bytes()
    assert r.headers["content-disposition"] == f'attachment; filename="results.{fmt}"'
    periods = client.post("/simulate", json={"policy": GUIZHOU, "scenarios": [SCENARIO], "format": fmt})
    assert periods.status_code == 200 and periods.headers["content-type"].startswith(
        ("text/csv", "application/vnd.openxml")
    )


def test_openapi_describes_every_endpoint(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/check", "/run", "/simulate", "/explain", "/diff", "/schema", "/policies"} <= set(paths)


# ---- bad requests ------------------------------------------------------------------------


def test_malformed_json_is_400(client: httpx.Client) -> None:
    body = error(client.post("/run", content=b'{"policy": '), 400, "request")
    assert str(body["message"]).startswith("请求体不是有效的 JSON")
    assert error(client.post("/run", content=b"[1, 2]"), 400, "request")["message"] == "请求体应为 JSON 对象"


def test_a_10_mb_body_is_413_before_it_is_read(client: httpx.Client) -> None:
    big = b'{"source": "' + b"#" * (10 * 1024 * 1024) + b'"}'
    body = error(client.post("/check", content=big, params={"lang": "en"}), 413, "request")
    assert body["message"] == "the request body is larger than 4 MB: refused"


def test_unknown_policy_is_422_naming_the_known_ones(client: httpx.Client) -> None:
    body = error(client.post("/run", json={"policy": "../../etc/passwd", "scenario": SCENARIO}), 422, "policy")
    assert "没有名为“../../etc/passwd”的政策" in str(body["message"]) and GUIZHOU in str(body["message"])
    error(client.get("/policies/nope"), 422, "policy")


def test_fields_are_checked(client: httpx.Client) -> None:
    assert "policy" in str(error(client.post("/run", json={"scenario": SCENARIO}), 400, "request")["message"])
    error(client.post("/run", json={"policy": GUIZHOU, "source": "x", "scenario": SCENARIO}), 400, "request")
    body = error(
        client.post("/run", json={"policy": GUIZHOU, "scenario": SCENARIO, "engine": "compiled"}), 400, "request"
    )
    assert body["message"] == "未知字段“engine”（可用：format, lang, policy, scenario, source）"
    error(client.post("/run", json={"policy": GUIZHOU, "scenario": "s.json"}), 400, "request")
    error(client.post("/check", json={"policy": GUIZHOU, "lang": "fr"}), 400, "request")


def test_a_scenario_that_fails_validation_is_422_with_the_field(client: httpx.Client) -> None:
    bad = json.loads(json.dumps(SCENARIO))
    bad["regions"]["贵阳市"]["上年度征缴收入"] = "abc"
    bad["regions"]["遵义市"]["前年度征缴收入"] = "-5.00"
    bad["params"]["参保人数权重"] = "150%"
    body = error(client.post("/run", json={"policy": GUIZHOU, "scenario": bad, "lang": "en"}), 422, "scenario")
    fields = {d["field"]: d["message"] for d in body["diagnostics"]}  # type: ignore[union-attr]
    assert fields == {
        "regions.贵阳市.上年度征缴收入": "‘abc’ is not a number",
        "regions.遵义市.前年度征缴收入": "cannot be negative: -5.00",
        "params.参保人数权重": "150% is out of range: must be at most 100%",
    }
    assert "scenario.json:" in str(body["message"]) and "regions.贵阳市.上年度征缴收入: ‘abc’ is not a number" in str(
        body["message"]
    )
    # A float in the request is read from its text: 1e400 is out of range, never infinity.
    bad = json.loads(json.dumps(SCENARIO))
    r = client.post(
        "/run",
        content=json.dumps({"policy": GUIZHOU, "scenario": bad}, ensure_ascii=False)
        .replace('"1000000000.00"', "1e400", 1)
        .encode(),
    )
    assert "超出可处理的范围" in str(error(r, 422, "scenario")["message"])
    r = client.post(
        "/run",
        content=json.dumps({"policy": GUIZHOU, "scenario": bad}, ensure_ascii=False)
        .replace('"1000000000.00"', "NaN", 1)
        .encode(),
    )
    assert "不是有限的数" in str(error(r, 422, "scenario")["message"])


def test_a_policy_with_errors_is_422_with_its_diagnostics(client: httpx.Client) -> None:
    body = error(client.post("/run", json={"source": "政策 示例 {\n  地区 乙丙\n}\n", "scenario": {}}), 422, "policy")
    diags = body["diagnostics"]
    assert [(d["code"], d["line"], d["column"]) for d in diags] == [("E201", 2, 6)]  # type: ignore[union-attr]
    assert "policy.pool:2:6: 错误[E201]: 未定义的地区集“乙丙”" in str(body["message"])


def test_a_source_over_the_policy_limit_is_e106(client: httpx.Client) -> None:
    got = client.post("/check", json={"source": "#" * (3 * 1024 * 1024)}).json()
    assert [(d["code"], d["message"]) for d in got["diagnostics"]] == [("E106", "无法读取文件:政策超过 2 MB")]


def test_a_source_cannot_make_the_server_read_a_file(client: httpx.Client) -> None:
    for spec in ("./secret", "../policies/guizhou_risk_adjustment", "regions/../../policies/guizhou_risk_adjustment"):
        got = client.post("/check", json={"source": f'导入 "{spec}"\n'}).json()
        assert [d["code"] for d in got["diagnostics"]] == ["E105"], spec
    assert client.post("/check", json={"source": '导入 "regions/guizhou"\n'}).json()["ok"] is True


def test_every_answer_carries_security_headers(client: httpx.Client) -> None:
    for r in (client.get("/"), client.get("/policies"), client.get("/nope"), client.post("/run", content=b"{")):
        assert "default-src 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "connect-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    text = page.text.replace("http://www.w3.org/2000/svg", "")  # the SVG namespace, a name and not a place
    assert "http://" not in text and "https://" not in text and "<link" not in text and "src=" not in text


def test_another_host_name_is_refused_on_loopback(client: httpx.Client) -> None:
    r = client.get("/policies", headers={"Host": "attacker.example"})
    assert error(r, 400, "request")["message"] == "不接受主机名“attacker.example”：本服务只在本机可访问"


def test_endpoints_write_no_file(client: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    client.post("/run", json={"policy": GUIZHOU, "scenario": SCENARIO})
    client.post("/explain", json={"policy": GUIZHOU})
    client.post("/simulate", json={"policy": GUIZHOU, "scenarios": [SCENARIO]})
    assert list(tmp_path.iterdir()) == []


def test_concurrent_runs_all_succeed_with_the_same_ledger(client: httpx.Client) -> None:
    # The load test proper (50 clients for a minute) is benchmarks/serve_load.py; this is its short form.
    def one(_: int) -> tuple[int, str]:
        r = client.post("/run", json={"policy": GUIZHOU, "scenario": SCENARIO})
        return r.status_code, r.text

    with ThreadPoolExecutor(16) as pool:
        got = list(pool.map(one, range(48)))
    assert {status for status, _ in got} == {200}
    assert len({text for _, text in got}) == 1


# ---- limits and the token ------------------------------------------------------------------


def test_a_request_over_its_time_is_503() -> None:
    with running(create_app(service(seconds=0.000001))) as base:
        r = httpx.post(base + "/explain", json={"policy": GUIZHOU}, timeout=60)
    assert r.status_code == 503 and r.json()["error"]["kind"] == "timeout"


def test_too_many_periods_is_413() -> None:
    with running(create_app(service(periods=2))) as base:
        r = httpx.post(base + "/simulate", json={"policy": GUIZHOU, "scenarios": [SCENARIO] * 3}, timeout=60)
    assert r.status_code == 413


def test_a_bug_is_500_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    svc = service()

    def broken(req: object) -> object:
        raise KeyError("a bug")

    monkeypatch.setattr(svc, "check", broken)
    with running(create_app(svc)) as base:
        r = httpx.post(base + "/check", json={"policy": GUIZHOU}, params={"lang": "en"}, timeout=60)
    assert r.status_code == 500 and "Traceback" not in r.text and "KeyError" not in r.text
    assert r.json()["error"] == {"kind": "internal", "message": "internal error (a bug in pool): see the server's log"}


def test_a_token_protected_server_refuses_requests_without_it() -> None:
    with running(create_app(service(), token="s3cret")) as base:
        assert httpx.get(base + "/policies").status_code == 401
        assert httpx.get(base + "/", params={"token": "wrong"}).status_code == 401
        refused = httpx.post(base + "/run", json={"policy": GUIZHOU, "scenario": SCENARIO}, params={"lang": "en"})
        assert refused.status_code == 401 and refused.json()["error"]["message"] == "missing or wrong access token"
        ok = httpx.post(
            base + "/run",
            json={"policy": GUIZHOU, "scenario": SCENARIO},
            headers={"Authorization": "Bearer s3cret"},
            timeout=60,
        )
        assert ok.status_code == 200
        assert httpx.get(base + "/", params={"token": "s3cret"}).status_code == 200
        assert httpx.get(base + "/schema", params={"token": "s3cret", "policy": GUIZHOU}).status_code == 200


def test_off_loopback_a_token_is_always_required() -> None:
    from compiler.commands.serve import access

    token, hosts = access("0.0.0.0", None)
    assert token is not None and len(token) >= 32 and hosts is None
    assert access("0.0.0.0", None)[0] != token  # generated afresh, never a fixed default
    assert access("192.168.1.5", "given") == ("given", None)
    token, hosts = access("127.0.0.1", None)
    assert token is None and hosts is not None and "localhost" in hosts and "attacker.example" not in hosts


def test_pool_serve_says_where_it_listens_and_serves(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "示例.pool").write_text("政策 示例 {\n  地区 甲乙\n  地区集 甲乙 { 甲、乙 }\n}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "compiler.cli", "serve", "--port", "0", "--policies", str(folder), "--token", "t0k"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "只在本机可访问" in line
        url = line.split("：", 1)[1].split("（", 1)[0]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/?token=t0k")
        base = url.split("/?")[0]
        names = {
            p["name"]: p["origin"]
            for p in httpx.get(base + "/policies", headers={"Authorization": "Bearer t0k"}).json()
        }
        assert names["示例"] == "configured"
        assert httpx.get(base + "/policies").status_code == 401
    finally:
        proc.terminate()
        proc.wait(10)


# Issue 19 (8): a derived number prints the same bytes everywhere: exact when its decimal
# terminates (1/2²⁰ has 20 places), else 10 places (compiler.numbers.derived).
PRECISION = """政策 精度试点 {
  地区集 试点区 { 甲区、乙区 }
  地区 试点区
  主体 市财政  原文 "市级财政"
  输入 人数: 数值 每地区  原文 "人数"
  令 微小系数 = 1 ÷ 1048576
  令 人数占比 = 占比(人数)
  令 大数 = 100000000000000000000000000 + 1 ÷ 4
  转移 补助 = 1000元 × 人数占比 + 微小系数 × 大数 × 0元 + 微小系数 × 1元  自 市财政  至 各地区  原文 "按人数补助"
}
"""
PRECISION_SCENARIO = {"period": 2026, "regions": {"甲区": {"人数": "1"}, "乙区": {"人数": "2"}}}
PRINTED = {
    "微小系数": "0.00000095367431640625",
    "人数占比": {"甲区": "0.3333333333", "乙区": "0.6666666667"},
    "大数": "100000000000000000000000000.25",
}


def test_a_derived_number_prints_the_same_bytes_on_every_output(client: httpx.Client, tmp_path: Path) -> None:
    policy, scen = tmp_path / "p.pool", tmp_path / "s.json"
    policy.write_text(PRECISION, encoding="utf-8")
    scen.write_text(json.dumps(PRECISION_SCENARIO, ensure_ascii=False), encoding="utf-8")
    printed = []
    for engine in ("compiled", "interpreter"):
        code, out = cli("run", str(policy), str(scen), "--json", "--engine", engine)
        assert code == 0
        printed.append(out)
        assert {k: json.loads(out)["values"][k] for k in PRINTED} == PRINTED, engine
        result = api.from_text(PRECISION).run(PRECISION_SCENARIO, engine=engine)
        shown = {
            k: {r: format(x, "f") for r, x in v.items()} if isinstance(v, dict) else format(v, "f")
            for k, v in result.values.items()
            if k in PRINTED
        }
        assert shown == PRINTED, engine
        assert result.to_json() == out
    assert printed[0] == printed[1]
    assert client.post("/run", json={"source": PRECISION, "scenario": PRECISION_SCENARIO}).text == printed[0]
