// The studio: edit a policy, fill in a scenario, read the ledger. Everything goes through the
// service's JSON endpoints; money stays a decimal string end to end (sums use BigInt fen).
(function () {
  "use strict";

  var T = {
    zh: {
      title: "pool 工作室", policy: "政策", sample: "示例情景", source: "政策原文", tabData: "情景与结果",
      tabExplainer: "政策解读", period: "年度", scheme: "险种", upload: "上传情景（JSON、CSV、xlsx）",
      dlScenario: "下载情景", dlResults: "下载结果（CSV）", dlResultsJson: "下载结果（JSON）", dlResultsXlsx: "下载结果（xlsx）",
      regionInputs: "各地区输入", addRegion: "添加地区", globalInputs: "全局输入", params: "参数", state: "期初余额",
      results: "结果", values: "各项计算值", why: "点击查看这笔金额是怎样算出来的", flow: "资金流向", ledger: "资金往来", balances: "期末余额", dlExplainer: "下载政策解读（HTML）",
      region: "地区", rule: "规则", from: "自", to: "至", amount: "金额（元）", line: "行", fund: "资金", name: "名称",
      value: "值", none: "（无）", custom: "（自行编辑）", emptyScenario: "（空白情景）", checking: "正在检查……",
      running: "正在计算……", ready: "已就绪", open: "待定，须填写", yes: "是", no: "否", remove: "删除此地区",
      lineCol: "第 {line} 行第 {col} 列", counts: "{e} 个错误，{w} 个警告，{n} 个提示",
      policyErrors: "政策有错误，请先按左侧提示修改。", noTransfers: "本期没有资金往来。", network: "无法连接服务：{msg}",
      uploaded: "已读入 {file}", money: "元", ratio: "%", count: "人", explainerTitle: "政策解读",
      tenThousand: "万元", severity: { error: "错误", warning: "警告", note: "说明" }, hint: "提示", switchTo: "English", colon: "：", paren: ["（", "）"]
    },
    en: {
      title: "pool studio", policy: "Policy", sample: "Sample scenario", source: "Policy source", tabData: "Scenario and results",
      tabExplainer: "Explainer", period: "Year", scheme: "Scheme", upload: "Upload a scenario (JSON, CSV, xlsx)",
      dlScenario: "Download scenario", dlResults: "Download results (CSV)", dlResultsJson: "Download results (JSON)",
      dlResultsXlsx: "Download results (xlsx)", regionInputs: "Inputs by region", addRegion: "Add a region",
      globalInputs: "Global inputs", params: "Parameters", state: "Opening balances", results: "Results", values: "Every computed value", why: "Click to see how this amount was computed", flow: "Fund flows",
      ledger: "Transfers", balances: "Closing balances", dlExplainer: "Download explainer (HTML)", region: "Region",
      rule: "Rule", from: "From", to: "To", amount: "Amount (元)", line: "Line", fund: "Fund", name: "Name", value: "Value",
      none: "(none)", custom: "(edited)", emptyScenario: "(blank scenario)", checking: "Checking…", running: "Computing…",
      ready: "Ready", open: "open: must be given", yes: "yes", no: "no", remove: "Remove this region",
      lineCol: "Line {line}, column {col}", counts: "{e} error(s), {w} warning(s), {n} note(s)",
      policyErrors: "The policy has errors: fix them first (see the left).", noTransfers: "No transfers this period.",
      network: "Cannot reach the service: {msg}", uploaded: "Read {file}", money: "元", ratio: "%", count: "persons",
      explainerTitle: "Explainer", tenThousand: "", severity: { error: "error", warning: "warning", note: "note" },
      hint: "hint", switchTo: "中文", colon: ": ", paren: [" (", ")"]
    }
  };

  var $ = function (id) { return document.getElementById(id); };
  var token = new URLSearchParams(location.search).get("token");
  var st = {
    lang: "zh", policies: [], samples: {}, schema: null, schemaText: "", ok: false,
    scenario: { regions: {} }, runText: null, result: null, explainer: null, explainerFor: null, seq: 0
  };

  function t(key, args) {
    var s = T[st.lang][key];
    Object.keys(args || {}).forEach(function (k) { s = s.replace("{" + k + "}", args[k]); });
    return s;
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { e.textContent = attrs[k]; } else if (k === "cls") { e.className = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }

  function status(text) { $("status").textContent = text; }

  // ---- the service ------------------------------------------------------------------

  // Requests in flight, on <body data-busy>: 0 once the page has caught up (the browser tests wait on it).
  var inFlight = 0;
  function busy(n) { inFlight += n; document.body.setAttribute("data-busy", String(inFlight)); }

  function call(method, path, body, raw) {
    var headers = {};
    if (token) { headers.Authorization = "Bearer " + token; }
    var init = { method: method, headers: headers };
    if (body !== undefined) {
      if (raw) { init.body = body; } else { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    }
    busy(1);
    return fetch(path, init).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = JSON.parse(text); } catch (e) { data = null; }
        busy(-1);
        return { status: r.status, text: text, data: data };
      });
    }).catch(function (e) { busy(-1); status(t("network", { msg: e.message })); throw e; });
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  // ---- the editor ---------------------------------------------------------------------

  var source = $("source");

  function lines() { return source.value.split("\n"); }

  function drawGutter(marks) {
    var n = lines().length, out = [];
    for (var i = 1; i <= n; i++) {
      var m = marks[i];
      out.push(m ? '<span class="' + m.cls + '" data-line="' + i + '" title="">' + i + "</span>" : String(i));
    }
    $("gutter").innerHTML = out.join("\n") + "\n";
    Array.prototype.forEach.call($("gutter").querySelectorAll("span[data-line]"), function (s) {
      s.title = marks[s.getAttribute("data-line")].title;
    });
  }

  function escapeHtml(s) { return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }

  // Behind the transparent textarea, the same text with each diagnostic's span marked.
  function drawHighlight(diags) {
    var text = source.value, offsets = [0], i;
    for (i = 0; i < text.length; i++) { if (text[i] === "\n") { offsets.push(i + 1); } }
    var spans = diags.filter(function (d) { return d.file === "policy.pool"; }).map(function (d) {
      var start = (offsets[d.line - 1] || 0) + d.column - 1;
      var end = (offsets[d.end_line - 1] || 0) + d.end_column - 1;
      if (end <= start) { end = start + 1; }
      return { start: start, end: Math.min(end, text.length), cls: d.severity };
    }).sort(function (a, b) { return a.start - b.start; });
    var html = "", at = 0;
    spans.forEach(function (s) {
      if (s.start < at) { return; }
      html += escapeHtml(text.slice(at, s.start)) + '<mark class="' + s.cls + '">' + escapeHtml(text.slice(s.start, s.end) || " ") + "</mark>";
      at = s.end;
    });
    $("highlight").innerHTML = html + escapeHtml(text.slice(at)) + "\n";
    syncScroll();
  }

  function syncScroll() {
    $("highlight").scrollTop = source.scrollTop;
    $("highlight").scrollLeft = source.scrollLeft;
    $("gutter").scrollTop = source.scrollTop;
  }

  function goTo(line, col) {
    var ls = lines(), pos = 0;
    for (var i = 0; i < line - 1 && i < ls.length; i++) { pos += ls[i].length + 1; }
    pos += Math.max(0, (col || 1) - 1);
    source.focus();
    source.setSelectionRange(pos, pos);
    source.scrollTop = Math.max(0, (line - 5) * 20);
    syncScroll();
  }

  function showDiagnostics(res) {
    var list = $("diagnostics"), marks = {};
    list.textContent = "";
    var diags = (res.data && res.data.diagnostics) || [];
    diags.forEach(function (d) {
      var where = d.file === "policy.pool" ? t("lineCol", { line: d.line, col: d.column }) : d.file + ":" + d.line + ":" + d.column;
      var text = where + " " + T[st.lang].severity[d.severity] + "[" + d.code + "]" + t("colon") + d.message;
      if (d.hint) { text += "\n" + t("hint") + t("colon") + d.hint; }
      var li = el("li", { cls: d.severity, "data-line": String(d.line), "data-code": d.code, text: text });
      li.addEventListener("click", function () { goTo(d.line, d.column); });
      list.appendChild(li);
      if (d.file === "policy.pool") {
        var prev = marks[d.line];
        var cls = { error: "err", warning: "warn", note: "note" }[d.severity];
        var rank = { err: 3, warn: 2, note: 1 };
        marks[d.line] = { cls: prev && rank[prev.cls] > rank[cls] ? prev.cls : cls, title: (prev ? prev.title + "\n" : "") + d.message };
      }
    });
    var c = (res.data && res.data.counts) || { error: 0, warning: 0, note: 0 };
    $("summary").textContent = t("counts", { e: c.error, w: c.warning, n: c.note });
    drawGutter(marks);
    drawHighlight(diags);
  }

  function check() {
    var seq = ++st.seq;
    status(t("checking"));
    call("POST", "/check", { source: source.value, lang: st.lang }).then(function (res) {
      if (seq !== st.seq) { return; }
      showDiagnostics(res);
      st.ok = !!(res.data && res.data.ok);
      if (!st.ok) {
        showErrors([t("policyErrors")]);
        status(t("ready"));
        return;
      }
      return call("POST", "/schema", { source: source.value }).then(function (sres) {
        if (seq !== st.seq || sres.status !== 200) { return; }
        if (sres.text !== st.schemaText) {
          st.schemaText = sres.text;
          st.schema = sres.data;
          drawScenario();
        }
        run();
        if (!$("tab-explainer").hidden) { explain(); }
      });
    });
  }

  // ---- the scenario tables --------------------------------------------------------------

  function kind(s) {
    if (!s) { return "text"; }
    if (s.oneOf) { return "bool"; }
    if (s.enum) { return "enum"; }
    var p = s.pattern || "";
    if (p.indexOf("{1,2}") >= 0) { return "money"; }
    if (p.indexOf("%?$") >= 0) { return "ratio"; }
    if (p === "^[0-9]+$") { return "count"; }
    return p ? "number" : "text";
  }

  function unit(s) {
    var k = kind(s);
    return k === "money" ? t("money") : k === "ratio" ? t("ratio") : k === "count" ? t("count") : "";
  }

  function shown(v) { return v === undefined || v === null ? "" : typeof v === "boolean" ? (v ? "true" : "false") : String(v); }

  // One cell: a select for booleans and enumerations, a text field otherwise. `set` stores the
  // value as typed (a decimal string stays a string), or removes it when the cell is emptied.
  function cell(schema, value, field, set) {
    var k = kind(schema), input;
    if (k === "bool" || k === "enum") {
      input = el("select", { "data-field": field });
      var options = k === "bool" ? [["", ""], ["true", t("yes")], ["false", t("no")]] : [["", ""]].concat(schema.enum.map(function (m) { return [m, m]; }));
      options.forEach(function (o) { input.appendChild(el("option", { value: o[0], text: o[1] })); });
      input.value = shown(value);
      input.addEventListener("change", function () {
        var v = input.value;
        set(v === "" ? undefined : k === "bool" ? v === "true" : v);
        scheduleRun();
      });
    } else {
      input = el("input", { type: "text", "data-field": field, inputmode: k === "text" ? "text" : "decimal", placeholder: unit(schema) });
      input.value = shown(value);
      input.addEventListener("input", function () { set(input.value.trim() === "" ? undefined : input.value.trim()); scheduleRun(); });
      input.addEventListener("paste", pasteGrid);
    }
    if (schema && schema.description) { input.title = schema.description; }
    return el("td", {}, [input]);
  }

  function props(path) {
    var s = st.schema && st.schema.properties;
    for (var i = 0; s && i < path.length; i++) { s = s[path[i]]; }
    return s || {};
  }

  function header(name, schema, open) {
    var th = el("th", { cls: open ? "open" : "", title: (schema && schema.description) || "" }, [name]);
    var u = unit(schema);
    if (u) { th.appendChild(el("span", { cls: "unit", text: T[st.lang].paren[0] + u + T[st.lang].paren[1] })); }
    if (open) { th.appendChild(el("div", { cls: "unit", text: t("open") })); }
    return th;
  }

  function drawScenario() {
    var sc = st.scenario;
    var regional = (props(["regions", "additionalProperties"]).properties) || {};
    var names = Object.keys(regional);
    var table = $("regions");
    table.textContent = "";
    var head = el("tr", {}, [el("th", { text: t("region") })]);
    names.forEach(function (n) { head.appendChild(header(n, regional[n])); });
    head.appendChild(el("th", {}));
    table.appendChild(el("thead", {}, [head]));
    var body = el("tbody");
    Object.keys(sc.regions || {}).forEach(function (region) {
      var row = el("tr", { "data-region": region }, [el("th", { text: region })]);
      names.forEach(function (n) {
        row.appendChild(cell(regional[n], sc.regions[region][n], "regions." + region + "." + n, function (v) {
          if (v === undefined) { delete sc.regions[region][n]; } else { sc.regions[region][n] = v; }
        }));
      });
      var rm = el("button", { type: "button", cls: "remove", title: t("remove"), "aria-label": t("remove"), text: "×" });
      rm.addEventListener("click", function () { delete sc.regions[region]; drawScenario(); scheduleRun(); });
      row.appendChild(el("td", {}, [rm]));
      body.appendChild(row);
    });
    table.appendChild(body);

    var known = (props(["regions", "propertyNames"]).enum) || [];
    var add = $("add-region");
    add.textContent = "";
    add.appendChild(el("option", { value: "", text: "" }));
    known.filter(function (r) { return !(r in (sc.regions || {})); }).forEach(function (r) { add.appendChild(el("option", { value: r, text: r })); });
    add.parentNode.parentNode.hidden = known.length === 0;

    var scheme = props(["scheme"]);
    $("scheme-label").hidden = !scheme.enum;
    if (scheme.enum) {
      var sel = $("scheme");
      sel.textContent = "";
      [""].concat(scheme.enum).forEach(function (m) { sel.appendChild(el("option", { value: m, text: m })); });
      sel.value = sc.scheme || "";
    }
    var period = props(["period"]);
    $("period").value = sc.period === undefined ? "" : sc.period;
    if (period.minimum !== undefined) { $("period").min = period.minimum; }
    if (period.maximum !== undefined) { $("period").max = period.maximum; }

    var schemeValues = scheme.enum ? scheme.enum.join() : null;
    drawPairs("globals", props(["global", "properties"]), sc.global || {}, "global", function (n, s) {
      return !(schemeValues && s.enum && s.enum.join() === schemeValues);  // the scheme picker above stands for it
    });
    var params = props(["params"]);
    drawPairs("params", params.properties || {}, sc.params || {}, "params", null, params.required || []);
    drawState();
  }

  function drawPairs(id, schemas, values, section, keep, required) {
    var table = $(id), names = Object.keys(schemas).filter(function (n) { return !keep || keep(n, schemas[n]); });
    table.textContent = "";
    $(id + "-block").hidden = names.length === 0;
    var body = el("tbody");
    names.forEach(function (n) {
      body.appendChild(el("tr", {}, [header(n, schemas[n], (required || []).indexOf(n) >= 0), cell(schemas[n], values[n], section + "." + n, function (v) {
        var target = st.scenario[section] || (st.scenario[section] = {});
        if (v === undefined) { delete target[n]; } else { target[n] = v; }
      })]));
    });
    table.appendChild(body);
  }

  function drawState() {
    var funds = props(["state", "properties"]), table = $("state"), names = Object.keys(funds);
    table.textContent = "";
    $("state-block").hidden = names.length === 0;
    var body = el("tbody");
    names.forEach(function (f) {
      var s = funds[f];
      var put = function (region) {
        return function (v) {
          var state = st.scenario.state || (st.scenario.state = {});
          if (region === null) { if (v === undefined) { delete state[f]; } else { state[f] = v; } return; }
          var per = state[f] || (state[f] = {});
          if (v === undefined) { delete per[region]; } else { per[region] = v; }
        };
      };
      if (s.additionalProperties) {
        Object.keys(st.scenario.regions || {}).forEach(function (r) {
          var got = (st.scenario.state || {})[f] || {};
          body.appendChild(el("tr", {}, [header(f + "(" + r + ")", s.additionalProperties), cell(s.additionalProperties, got[r], "state." + f + "." + r, put(r))]));
        });
      } else {
        body.appendChild(el("tr", {}, [header(f, s), cell(s, (st.scenario.state || {})[f], "state." + f, put(null))]));
      }
    });
    table.appendChild(body);
  }

  // Pasting a block copied from a spreadsheet fills the cells right and down from this one.
  function pasteGrid(ev) {
    var text = (ev.clipboardData || window.clipboardData).getData("text");
    if (text.indexOf("\t") < 0 && text.indexOf("\n") < 0) { return; }
    ev.preventDefault();
    var rows = text.replace(/\r/g, "").replace(/\n$/, "").split("\n").map(function (r) { return r.split("\t"); });
    var td = ev.target.parentNode, tr = td.parentNode, col = Array.prototype.indexOf.call(tr.children, td);
    rows.forEach(function (cells) {
      if (!tr) { return; }
      cells.forEach(function (v, j) {
        var target = tr.children[col + j];
        var input = target && target.querySelector("input, select");
        if (input) { input.value = v.trim(); input.dispatchEvent(new Event(input.tagName === "SELECT" ? "change" : "input")); }
      });
      tr = tr.nextElementSibling;
    });
  }

  // ---- results ------------------------------------------------------------------------

  function fen(s) {  // "1234.5" → 123450n: exact sums of decimal strings
    var neg = s.charAt(0) === "-", parts = s.replace("-", "").split(".");
    var v = BigInt(parts[0] + ((parts[1] || "") + "00").slice(0, 2));
    return neg ? -v : v;
  }

  function yuan(f) {  // 123450n → "1,234.50"
    var neg = f < 0n, a = neg ? -f : f, s = a.toString().padStart(3, "0");
    var whole = s.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (neg ? "-" : "") + whole + "." + s.slice(-2);
  }

  function wan(f) {  // the amount on a diagram edge: 万元 in Chinese, 元 in English
    if (st.lang !== "zh") { return yuan(f); }
    var w = Number(f) / 1000000;
    return w.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + t("tenThousand");
  }

  function showErrors(messages, fields) {
    var box = $("errors");
    box.textContent = "";
    messages.forEach(function (m) { box.appendChild(el("div", { text: m })); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-field].invalid"), function (e) { e.classList.remove("invalid"); });
    (fields || []).forEach(function (f) {
      var input = document.querySelector('[data-field="' + CSS.escape(f.field) + '"]');
      if (input) { input.classList.add("invalid"); input.title = f.message; }
    });
  }

  var scheduleRun = debounce(run, 250);

  function run() {
    if (!st.ok) { return; }
    var seq = st.seq;
    status(t("running"));
    call("POST", "/run", { source: source.value, scenario: st.scenario, lang: st.lang }).then(function (res) {
      if (seq !== st.seq) { return; }
      status(t("ready"));
      if (res.status !== 200) {
        var err = (res.data && res.data.error) || { message: res.text };
        st.runText = null;
        st.result = null;
        showErrors([err.message], err.kind === "scenario" ? err.diagnostics : []);
        drawResults();
        return;
      }
      showErrors([]);
      st.runText = res.text;
      st.result = res.data;
      drawResults();
    });
  }

  function drawResults() {
    var r = st.result, ledger = $("ledger"), balances = $("balances");
    ledger.textContent = "";
    balances.textContent = "";
    $("trace").hidden = true;
    $("values").textContent = "";
    $("flow-svg").textContent = "";
    if (!r) { return; }
    ledger.appendChild(el("thead", {}, [el("tr", {}, ["rule", "from", "to", "amount", "line"].map(function (k) { return el("th", { text: t(k) }); }))]));
    var body = el("tbody");
    r.transfers.forEach(function (x) {
      var link = el("a", { href: "#", text: String(x.line) });
      link.addEventListener("click", function (ev) { ev.preventDefault(); goTo(x.line, 1); });
      body.appendChild(el("tr", { "data-rule": x.rule, "data-from": x.from, "data-to": x.to }, [
        el("td", { text: x.rule }), el("td", { text: x.from }), el("td", { text: x.to }),
        el("td", { cls: "num amount" }, [traceLink(x, r.values)]), el("td", { cls: "num" }, [link])
      ]));
    });
    if (!r.transfers.length) { body.appendChild(el("tr", {}, [el("td", { colspan: "5", text: t("noTransfers") })])); }
    ledger.appendChild(body);
    balances.appendChild(el("thead", {}, [el("tr", {}, [el("th", { text: t("fund") }), el("th", { text: t("amount") })])]));
    var bbody = el("tbody");
    Object.keys(r.state).forEach(function (f) {
      var v = r.state[f];
      if (typeof v === "string") {
        bbody.appendChild(el("tr", { "data-fund": f }, [el("td", { text: f }), el("td", { cls: "num", text: yuan(fen(v)) })]));
      } else {
        Object.keys(v).forEach(function (region) {
          bbody.appendChild(el("tr", { "data-fund": f + "(" + region + ")" }, [el("td", { text: f + "(" + region + ")" }), el("td", { cls: "num", text: yuan(fen(v[region])) })]));
        });
      }
    });
    balances.appendChild(bbody);
    drawValues(r.values);
    $("flow-svg").appendChild(flowDiagram(r.transfers, Object.keys(st.scenario.regions || {})));
  }

  // An amount is a link to how it was computed (`pool run --explain 规则@地区`), shown under the ledger.
  function traceLink(x, values) {
    var v = values[x.rule], region = null;
    if (v !== null && typeof v === "object") { region = x.from in v ? x.from : x.to in v ? x.to : null; }
    var target = region ? x.rule + "@" + region : x.rule;
    var a = el("a", { href: "#", title: t("why"), "data-target": target, text: yuan(fen(x.amount)) });
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      call("POST", "/trace", { source: source.value, scenario: st.scenario, target: target, lang: st.lang }).then(function (res) {
        $("trace").hidden = false;
        $("trace").textContent = res.status === 200 ? res.text : ((res.data && res.data.error && res.data.error.message) || res.text);
      });
    });
    return a;
  }

  // Every value the run computed: one column for a global value, one a region otherwise.
  function drawValues(values) {
    var table = $("values"), regions = Object.keys(st.scenario.regions || {});
    table.textContent = "";
    var head = el("tr", {}, [el("th", { text: t("name") }), el("th", { text: t("value") })]);
    regions.forEach(function (r) { head.appendChild(el("th", { text: r })); });
    table.appendChild(el("thead", {}, [head]));
    var body = el("tbody");
    Object.keys(values).forEach(function (name) {
      var v = values[name], row = el("tr", { "data-value": name }, [el("td", { text: name })]);
      var show = function (x) { return typeof x === "boolean" ? (x ? t("yes") : t("no")) : String(x); };
      if (v !== null && typeof v === "object") {
        row.appendChild(el("td"));
        regions.forEach(function (r) { row.appendChild(el("td", { cls: "num", text: r in v ? show(v[r]) : "" })); });
      } else {
        row.appendChild(el("td", { cls: "num", text: show(v) }));
        regions.forEach(function () { row.appendChild(el("td")); });
      }
      body.appendChild(row);
    });
    table.appendChild(body);
  }

  // Parties in columns by how far money has travelled to reach them. The regions stand as one
  // node where they pay and one where they are paid, so the diagram reads left to right, and a
  // region's own account (区县累计结余(海曙区)) joins its fellows as 区县累计结余(各地区).
  function flowDiagram(transfers, regions) {
    var NS = "http://www.w3.org/2000/svg", isRegion = {}, edges = {}, nodes = {}, order = [];
    regions.forEach(function (r) { isRegion[r] = true; });
    var all = st.lang === "zh" ? "各地区" : "regions";
    var party = function (n) {
      var m = /^(.*)[(（]([^()（）]+)[)）]$/.exec(n);
      return m && isRegion[m[2]] ? m[1] + "(" + all + ")" : n;
    };
    var from = function (n) { return isRegion[n] ? all + " →" : party(n); };
    var to = function (n) { return isRegion[n] ? "→ " + all : party(n); };
    transfers.forEach(function (x) {
      var a = from(x.from), b = to(x.to), key = a + "\u0000" + b;
      [a, b].forEach(function (n) { if (!(n in nodes)) { nodes[n] = 0; order.push(n); } });
      edges[key] = (edges[key] || 0n) + fen(x.amount);
    });
    var keys = Object.keys(edges);
    for (var pass = 0; pass < order.length; pass++) {  // longest path, bounded: a cycle stops growing
      keys.forEach(function (k) { var p = k.split("\u0000"); if (nodes[p[1]] < nodes[p[0]] + 1 && p[0] !== p[1]) { nodes[p[1]] = nodes[p[0]] + 1; } });
    }
    var columns = [], row = {};
    order.forEach(function (n) { (columns[nodes[n]] = columns[nodes[n]] || []).push(n); });
    columns.forEach(function (col) {  // each node level with the mean row of what pays it: fewer crossings
      col.forEach(function (n, j) {
        var ins = keys.filter(function (k) { return k.split("\u0000")[1] === n && k.split("\u0000")[0] in row; });
        row[n] = ins.length ? ins.reduce(function (a, k) { return a + row[k.split("\u0000")[0]]; }, 0) / ins.length : j;
      });
      col.sort(function (a, b) { return row[a] - row[b]; });
      col.forEach(function (n, j) { row[n] = j; });
    });
    var W = 150, H = 34, GX = 120, GY = 26, pos = {}, height = 0;
    columns.forEach(function (col, i) {
      col.forEach(function (n, j) { pos[n] = { x: 10 + i * (W + GX), y: 10 + j * (H + GY) }; });
      height = Math.max(height, col.length * (H + GY));
    });
    var svg = document.createElementNS(NS, "svg");
    var width = 20 + columns.length * (W + GX) - GX;
    svg.setAttribute("viewBox", "0 0 " + Math.max(width, 200) + " " + Math.max(height + 10, 60));
    svg.setAttribute("width", String(Math.max(width, 200)));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", t("flow"));
    var max = keys.reduce(function (m, k) { return edges[k] > m ? edges[k] : m; }, 1n);
    var mk = function (tag, attrs, text) {
      var e = document.createElementNS(NS, tag);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      if (text !== undefined) { e.textContent = text; }
      return e;
    };
    keys.forEach(function (k) {
      var p = k.split("\u0000"), a = pos[p[0]], b = pos[p[1]];
      var x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2, mid = (x1 + x2) / 2;
      var w = 1.5 + 12 * Number(edges[k]) / Number(max);
      var g = mk("g", { class: "edge" });
      g.appendChild(mk("path", { d: "M" + x1 + "," + y1 + " C" + mid + "," + y1 + " " + mid + "," + y2 + " " + x2 + "," + y2, "stroke-width": w.toFixed(1) }));
      // The amount in the gap just after the source, clear of any node the edge passes behind:
      // find where the curve crosses the middle of that gap (x grows along it) by bisection.
      var bez = function (a, b, c, d, u) { var v = 1 - u; return v * v * v * a + 3 * v * v * u * b + 3 * v * u * u * c + u * u * u * d; };
      var lo = 0, hi = 1, goal = Math.min(x1 + GX / 2, (x1 + x2) / 2);
      for (var i = 0; i < 20; i++) { var m = (lo + hi) / 2; if (bez(x1, mid, mid, x2, m) < goal) { lo = m; } else { hi = m; } }
      g.appendChild(mk("text", { class: "amount", x: goal.toFixed(1), y: (bez(y1, y1, y2, y2, lo) - 4).toFixed(1), "text-anchor": "middle" }, wan(edges[k])));
      svg.appendChild(g);
    });
    order.forEach(function (n) {
      var p = pos[n], g = mk("g", { class: "node" + (n.indexOf(all) < 0 ? " fund" : "") });
      g.appendChild(mk("rect", { x: String(p.x), y: String(p.y), width: String(W), height: String(H), rx: "4" }));
      g.appendChild(mk("text", { x: String(p.x + W / 2), y: String(p.y + H / 2 + 4), "text-anchor": "middle" }, n.length > 12 ? n.slice(0, 11) + "…" : n));
      svg.appendChild(g);
    });
    return svg;
  }

  // ---- the explainer --------------------------------------------------------------------

  function explain() {
    if (!st.ok) { return; }
    var key = st.lang + "\u0000" + source.value;
    if (st.explainerFor === key) { return; }
    call("POST", "/explain", { source: source.value, lang: st.lang, format: "html" }).then(function (res) {
      if (res.status !== 200) { return; }
      st.explainer = res.text;
      st.explainerFor = key;
      $("explainer").srcdoc = res.text;
    });
  }

  function tab(name) {
    Array.prototype.forEach.call(document.querySelectorAll(".tabs button"), function (b) {
      b.setAttribute("aria-selected", String(b.getAttribute("data-tab") === name));
    });
    $("tab-data").hidden = name !== "data";
    $("tab-explainer").hidden = name !== "explainer";
    if (name === "explainer") { explain(); }
  }

  // ---- files in and out -------------------------------------------------------------------

  function save(name, blob) {
    var a = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function download(name, type, text) { save(name, new Blob([text], { type: type })); }

  // The ledger, values and balances as the CLI writes them (`pool run --format csv|xlsx`).
  function downloadResults(fmt) {
    if (!st.ok) { return; }
    var headers = { "Content-Type": "application/json" };
    if (token) { headers.Authorization = "Bearer " + token; }
    var body = JSON.stringify({ source: source.value, scenario: st.scenario, lang: st.lang, format: fmt });
    busy(1);
    fetch("/run", { method: "POST", headers: headers, body: body }).then(function (r) {
      return r.blob().then(function (blob) {
        busy(-1);
        if (r.ok) { save("results." + fmt, blob); return; }
        return blob.text().then(function (text) {
          try { showErrors([JSON.parse(text).error.message]); } catch (e) { showErrors([text]); }
        });
      });
    }).catch(function (e) { busy(-1); status(t("network", { msg: e.message })); });
  }

  function upload(file) {
    var ext = (file.name.split(".").pop() || "").toLowerCase();
    file.arrayBuffer().then(function (buf) {
      return call("POST", "/import?format=" + encodeURIComponent(ext) + "&lang=" + st.lang, buf, true);
    }).then(function (res) {
      if (res.status !== 200) { showErrors([(res.data && res.data.error && res.data.error.message) || res.text]); return; }
      st.scenario = res.data.scenario;
      st.scenario.regions = st.scenario.regions || {};
      $("sample").value = "";
      $("loaded").textContent = t("uploaded", { file: file.name });
      drawScenario();
      run();
    });
  }

  // ---- policies and language ---------------------------------------------------------------

  function loadPolicy(name) {
    return call("GET", "/policies/" + encodeURIComponent(name)).then(function (res) {
      if (res.status !== 200 || $("policy").value !== name) { return; }  // another policy was picked meanwhile
      source.value = res.data.source;
      st.samples = res.data.scenarios;
      var sel = $("sample");
      sel.textContent = "";
      Object.keys(st.samples).forEach(function (s) { sel.appendChild(el("option", { value: s, text: s })); });
      sel.appendChild(el("option", { value: "", text: t("emptyScenario") }));
      var first = Object.keys(st.samples)[0];
      sel.value = first || "";
      st.scenario = first ? JSON.parse(JSON.stringify(st.samples[first])) : { regions: {} };
      st.schemaText = "";
      $("loaded").textContent = "";
      check();
    });
  }

  function translate() {
    document.documentElement.lang = st.lang === "zh" ? "zh-CN" : "en";
    document.title = t("title");
    Array.prototype.forEach.call(document.querySelectorAll("[data-t]"), function (e) { e.textContent = t(e.getAttribute("data-t")); });
    $("lang").textContent = t("switchTo");
    $("lang").lang = st.lang === "zh" ? "en" : "zh-CN";
    $("explainer").title = t("explainerTitle");
  }

  $("lang").addEventListener("click", function () {
    st.lang = st.lang === "zh" ? "en" : "zh";
    translate();
    drawScenario();
    check();
  });
  $("policy").addEventListener("change", function () { if ($("policy").value) { loadPolicy($("policy").value); } });
  $("sample").addEventListener("change", function () {
    var s = $("sample").value;
    st.scenario = s ? JSON.parse(JSON.stringify(st.samples[s])) : { regions: {} };
    $("loaded").textContent = "";
    drawScenario();
    run();
  });
  $("period").addEventListener("input", function () {
    var v = $("period").value;
    if (v === "") { delete st.scenario.period; } else { st.scenario.period = Number(v); }
    scheduleRun();
  });
  $("scheme").addEventListener("change", function () {
    if ($("scheme").value) { st.scenario.scheme = $("scheme").value; } else { delete st.scenario.scheme; }
    scheduleRun();
  });
  $("add-region").addEventListener("change", function () {
    var r = $("add-region").value;
    if (!r) { return; }
    st.scenario.regions = st.scenario.regions || {};
    st.scenario.regions[r] = {};
    drawScenario();
    scheduleRun();
  });
  $("upload").addEventListener("change", function () { if ($("upload").files[0]) { upload($("upload").files[0]); } });
  $("dl-scenario").addEventListener("click", function () { download("scenario.json", "application/json", JSON.stringify(st.scenario, null, 2) + "\n"); });
  $("dl-results").addEventListener("click", function () { downloadResults("csv"); });
  $("dl-results-xlsx").addEventListener("click", function () { downloadResults("xlsx"); });
  $("dl-results-json").addEventListener("click", function () { if (st.runText) { download("results.json", "application/json", st.runText); } });
  $("dl-explainer").addEventListener("click", function () { if (st.explainer) { download("explainer.html", "text/html", st.explainer); } });
  Array.prototype.forEach.call(document.querySelectorAll(".tabs button"), function (b) {
    b.addEventListener("click", function () { tab(b.getAttribute("data-tab")); });
  });
  source.addEventListener("input", function () {
    $("policy").value = "";
    drawGutter({});
    drawHighlight([]);
    scheduleCheck();
  });
  source.addEventListener("scroll", syncScroll);
  source.addEventListener("keydown", function (ev) {  // Tab indents instead of leaving the editor
    if (ev.key === "Tab" && !ev.shiftKey) { ev.preventDefault(); document.execCommand("insertText", false, "  "); }
  });
  var scheduleCheck = debounce(check, 300);

  translate();
  call("GET", "/policies").then(function (res) {
    st.policies = res.data || [];
    var sel = $("policy");
    sel.appendChild(el("option", { value: "", text: t("custom") }));
    st.policies.forEach(function (p) { sel.appendChild(el("option", { value: p.name, text: p.title || p.name })); });
    var pick = st.policies.filter(function (p) { return p.scenarios.length; })[0] || st.policies[0];
    if (pick) { sel.value = pick.name; loadPolicy(pick.name); } else { check(); }
  });
})();
