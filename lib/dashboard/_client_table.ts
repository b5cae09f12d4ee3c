/**
 * Browser code, part 3: the trial table (sort by any column, filter by state and parameter,
 * pages of 50 rows asked from the server, so 10,000 trials cost no more than 50).
 *
 * @module
 */

/** The trial table. */
export const CLIENT_TABLE: string = String.raw`
var STATES = ["COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING"];

function newQuery() {
  return { states: [], param: "", min: undefined, max: undefined, equals: undefined,
    sort: "number", desc: false, offset: 0, limit: 50 };
}

function tableColumns(view) {
  var cols = [
    { key: "number", label: "#", cell: function (r) { return String(r.number); } },
    { key: "state", label: "State", cell: function (r) { return r.state; } },
  ];
  view.summary.directions.forEach(function (d, i) {
    var label = view.summary.directions.length === 1 ? "Value" : "Value " + i;
    cols.push({ key: "value:" + i, label: label + " (" + d.slice(0, 3) + ")",
      cell: function (r) { return r.values ? fmtNum(r.values[i]) : ""; } });
  });
  cols.push({ key: "duration", label: "Duration", cell: fmtDuration });
  view.paramNames.forEach(function (p) {
    cols.push({ key: "param:" + p, label: p, cls: "param",
      cell: function (r) { return Object.prototype.hasOwnProperty.call(r.params, p) ? fmtVal(r.params[p]) : ""; } });
  });
  view.attrKeys.forEach(function (k) {
    cols.push({ key: "attr:" + k, label: k, cls: "attr",
      cell: function (r) { return fmtVal(r.userAttrs[k]); } });
  });
  return cols;
}

function numberOrUndefined(text) {
  if (text.trim() === "") return undefined;
  var n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function filterBar(t, view, reload) {
  var states = el("select", { id: "filter-state", "aria-label": "State",
    onchange: function () {
      t.q.states = states.value === "" ? [] : [states.value];
      t.q.offset = 0;
      reload();
    } }, [el("option", { value: "", text: "All states" })].concat(STATES.map(function (s) {
      return el("option", { value: s, text: s });
    })));
  var param = el("select", { id: "filter-param", "aria-label": "Parameter",
    onchange: apply }, [el("option", { value: "", text: "Any parameter" })].concat(
      view.paramNames.map(function (p) { return el("option", { value: p, text: p }); })));
  var min = el("input", { id: "filter-min", placeholder: "min", size: 8, onchange: apply });
  var max = el("input", { id: "filter-max", placeholder: "max", size: 8, onchange: apply });
  var equals = el("input", { id: "filter-equals", placeholder: "equals", size: 10, onchange: apply });
  function apply() {
    t.q.param = param.value;
    t.q.min = numberOrUndefined(min.value);
    t.q.max = numberOrUndefined(max.value);
    t.q.equals = equals.value === "" ? undefined : equals.value;
    t.q.offset = 0;
    reload();
  }
  return el("div", { cls: "filters" }, [
    el("label", null, ["State ", states]), el("label", null, ["Parameter ", param]),
    min, max, equals,
  ]);
}

function tableHead(t, cols, reload) {
  return el("thead", null, [el("tr", null, cols.map(function (c) {
    var mark = t.q.sort === c.key ? (t.q.desc ? " \u25BC" : " \u25B2") : "";
    return el("th", { cls: (c.cls || "") + " sortable", "data-key": c.key, title: "Sort by " + c.label,
      onclick: function () {
        if (t.q.sort === c.key) t.q.desc = !t.q.desc;
        else { t.q.sort = c.key; t.q.desc = false; }
        t.q.offset = 0;
        reload();
      } }, [c.label + mark]);
  }))]);
}

function tableBody(t, cols, page, onRow) {
  return el("tbody", null, page.rows.map(function (r) {
    return el("tr", { cls: "state-" + r.state.toLowerCase() + (t.selected === r.number ? " selected" : ""),
      "data-number": r.number, onclick: function () { onRow(r.number); } },
      cols.map(function (c) { return el("td", { cls: c.cls || "", text: c.cell(r) }); }));
  }));
}

function pager(t, page, reload) {
  var first = page.total === 0 ? 0 : t.q.offset + 1;
  var last = t.q.offset + page.rows.length;
  return el("div", { cls: "pager" }, [
    el("button", { id: "page-prev", text: "\u2190 Prev", disabled: t.q.offset === 0,
      onclick: function () { t.q.offset = Math.max(0, t.q.offset - t.q.limit); reload(); } }),
    el("span", { id: "page-info", text: first + "\u2013" + last + " of " + page.total + " trials" }),
    el("button", { id: "page-next", text: "Next \u2192", disabled: last >= page.total,
      onclick: function () { t.q.offset += t.q.limit; reload(); } }),
  ]);
}

function trialTable(src, studyId, view, onRow) {
  var t = { q: newQuery(), selected: null, view: view };
  var holder = el("div", { cls: "table-wrap" });
  var pagerBox = el("div");
  var status = el("p", { cls: "error", role: "status" });
  function reload() {
    return src.trials(studyId, t.q).then(function (page) {
      var cols = tableColumns(t.view);
      clear(holder).appendChild(el("table", { id: "trials", cls: "trials" },
        [tableHead(t, cols, reload), tableBody(t, cols, page, onRow)]));
      clear(pagerBox).appendChild(pager(t, page, reload));
      status.textContent = "";
    }, function (e) { status.textContent = String(e.message || e); });
  }
  t.node = section("Trials", "trials-card", [filterBar(t, view, reload), status, holder, pagerBox]);
  t.reload = reload;
  return t;
}
`;
