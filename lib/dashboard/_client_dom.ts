/**
 * Browser code of the dashboard, part 1: DOM and formatting helpers. Every piece of data is
 * put in the page with `textContent` or a text node, never as markup; strings handed to Plotly
 * (which reads a little HTML in titles, labels and hover text) are escaped first.
 *
 * The browser code is plain ES2017 kept as text (no backquotes, no `${`), joined by
 * `_client.ts` into one script.
 *
 * @module
 */

/** DOM and formatting helpers. */
export const CLIENT_DOM: string = String.raw`
function el(tag, props, kids) {
  var e = document.createElement(tag);
  if (props) {
    Object.keys(props).forEach(function (k) {
      var v = props[k];
      if (v === undefined || v === null) return;
      if (k === "text") e.textContent = String(v);
      else if (k === "cls") e.className = v;
      else if (k.indexOf("on") === 0) e.addEventListener(k.slice(2), v);
      else if (k === "value") e.value = v;
      else if (k === "checked" || k === "selected" || k === "disabled") e[k] = !!v;
      else e.setAttribute(k, String(v));
    });
  }
  (kids || []).forEach(function (c) {
    if (c === null || c === undefined || c === false) return;
    e.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  });
  return e;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

function fmtNum(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (Number.isInteger(v)) return String(v);
  var a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e7)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}

function fmtVal(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return fmtNum(v);
  if (typeof v === "string" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function fmtDate(ms) {
  if (ms === null || ms === undefined) return "";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

function fmtDuration(row) {
  if (row.start === null || row.complete === null) return "";
  var s = (row.complete - row.start) / 1000;
  if (s < 60) return s.toFixed(s < 10 ? 2 : 1) + " s";
  if (s < 3600) return (s / 60).toFixed(1) + " min";
  return (s / 3600).toFixed(1) + " h";
}

function plotlyText(s) {
  return s.replace(/&(?!(amp|lt|gt|quot|#\d+);)/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/&lt;br ?\/?&gt;/g, "<br>").replace(/&lt;extra&gt;&lt;\/extra&gt;/g, "<extra></extra>");
}

// Plotly reads a little HTML in text; escape it (text lib/plots escaped stays as it is) but
// keep the line breaks and the empty <extra> of hover templates.
function plotlySafe(v) {
  if (typeof v === "string") return plotlyText(v);
  if (Array.isArray(v)) return v.map(plotlySafe);
  if (v && typeof v === "object") {
    var out = {};
    Object.keys(v).forEach(function (k) { out[k] = plotlySafe(v[k]); });
    return out;
  }
  return v;
}

function plot(div, figure) {
  var layout = plotlySafe(figure.layout || {});
  if (layout.width) div.classList.add("wide");
  delete layout.width;
  layout.autosize = true;
  if (!layout.margin) layout.margin = { l: 60, r: 20, t: 50, b: 50 };
  return Plotly.react(div, plotlySafe(figure.data || []), layout,
    { displaylogo: false, responsive: true });
}

function kvTable(record, cls) {
  var keys = Object.keys(record || {}).sort();
  if (keys.length === 0) return el("p", { cls: "muted", text: "none" });
  return el("table", { cls: "kv " + (cls || "") }, [el("tbody", null, keys.map(function (k) {
    return el("tr", null, [el("th", { text: k }), el("td", { text: fmtVal(record[k]) })]);
  }))]);
}

function section(title, id, kids) {
  return el("section", { cls: "card", id: id }, [el("h2", { text: title })].concat(kids));
}
`;
