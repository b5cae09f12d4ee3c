/**
 * Browser code, part 2: where the page's data comes from. `serverSource` asks the dashboard's
 * JSON API; `reportSource` answers the same questions from the data embedded in a report
 * (running the server's own `queryTrials`, shipped as text, for the table).
 *
 * @module
 */
import { queryTrials } from "./_query.ts";

/** The data sources. */
export const CLIENT_SOURCE: string = String.raw`
function readJson(r) {
  return r.json().then(function (b) {
    if (!r.ok) throw new Error((b && b.message) || r.statusText);
    return b;
  });
}

function queryString(q) {
  var p = new URLSearchParams();
  q.states.forEach(function (s) { p.append("state", s); });
  if (q.param) p.set("param", q.param);
  if (q.min !== undefined) p.set("min", String(q.min));
  if (q.max !== undefined) p.set("max", String(q.max));
  if (q.equals !== undefined) p.set("equals", q.equals);
  p.set("sort", q.sort);
  if (q.desc) p.set("desc", "1");
  p.set("offset", String(q.offset));
  p.set("limit", String(q.limit));
  return p.toString();
}

function serverSource() {
  function get(path) {
    return fetch(path, { headers: { Accept: "application/json" } }).then(readJson);
  }
  function send(method, path, body) {
    return fetch(path, {
      method: method,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(readJson);
  }
  function base(id) { return "/api/studies/" + encodeURIComponent(id); }
  return {
    meta: function () { return get("/api/meta"); },
    studies: function () { return get("/api/studies"); },
    study: function (id) { return get(base(id)); },
    trials: function (id, q) { return get(base(id) + "/trials?" + queryString(q)); },
    trial: function (id, n) { return get(base(id) + "/trials/" + encodeURIComponent(n)); },
    figures: function (id) { return get(base(id) + "/figures"); },
    figure: function (id, fid) { return get(base(id) + "/figures/" + encodeURIComponent(fid)); },
    importance: function (id) { return get(base(id) + "/importance"); },
    poll: function (id, since) {
      return get(base(id) + "/poll?since=" + encodeURIComponent(since));
    },
    saveNote: function (id, n, version, body) {
      var path = n === null ? base(id) + "/note" : base(id) + "/trials/" + n + "/note";
      return send("PUT", path, { version: version, body: body });
    },
    tell: function (id, n, outcome) {
      return send("POST", base(id) + "/trials/" + n + "/tell", outcome);
    },
  };
}

function reportSource(data) {
  var queryTrials = QUERY_TRIALS;
  function later(f) { return Promise.resolve().then(f); }
  return {
    meta: function () { return later(function () { return { allowWrites: false, report: true }; }); },
    studies: function () { return later(function () { return data.studies; }); },
    study: function () { return later(function () { return data.view; }); },
    trials: function (id, q) { return later(function () { return queryTrials(data.rows, q); }); },
    trial: function (id, n) {
      return later(function () {
        var d = data.details[String(n)];
        if (!d) throw new Error("Trial " + n + " not found");
        return d;
      });
    },
    figures: function () {
      return later(function () {
        return data.figures.map(function (f) { return { id: f.id, title: f.title }; });
      });
    },
    figure: function (id, fid) {
      return later(function () { return data.figures.filter(function (f) { return f.id === fid; })[0]; });
    },
    importance: function () { return later(function () { return data.importance; }); },
    poll: function () { return later(function () { return { version: data.view.version, changed: false }; }); },
  };
}
`.replace("QUERY_TRIALS", () => `(${queryTrials.toString()})`);
