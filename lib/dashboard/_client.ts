/**
 * Browser code, part 5: the studies list, the hash router (`#/` and `#/study/<id>`) and the
 * boot, and {@link clientScript}, which joins the parts into the one script the page loads.
 *
 * @module
 */
import { CLIENT_DOM } from "./_client_dom.ts";
import { CLIENT_SOURCE } from "./_client_source.ts";
import { CLIENT_TABLE } from "./_client_table.ts";
import { CLIENT_STUDY } from "./_client_study.ts";

const CLIENT_MAIN = String.raw`
var POLL_MS = 1000;

function studiesPage(root, src) {
  return src.studies().then(function (studies) {
    var rows = studies.map(function (s) {
      var best = s.best ? s.best.values.map(fmtNum).join(", ") + " (#" + s.best.number + ")" : "\u2013";
      return el("tr", { "data-study": s.studyId }, [
        el("td", null, [el("a", { href: "#/study/" + s.studyId, text: s.studyName })]),
        el("td", { text: s.directions.join(", ") }),
        el("td", { text: String(s.nTrials) }),
        el("td", { text: String(s.states.COMPLETE || 0) }),
        el("td", { text: String(s.states.PRUNED || 0) }),
        el("td", { text: String(s.states.RUNNING || 0) }),
        el("td", { text: best }),
        el("td", { text: fmtDate(s.datetimeStart) }),
      ]);
    });
    clear(root).appendChild(section("Studies", "studies-card", [
      studies.length === 0 ? el("p", { cls: "muted", text: "No studies in this storage." }) :
        el("table", { id: "studies", cls: "trials" }, [
          el("thead", null, [el("tr", null, ["Study", "Directions", "Trials", "Complete", "Pruned",
            "Running", "Best", "Started"].map(function (h) { return el("th", { text: h }); }))]),
          el("tbody", null, rows),
        ]),
    ]));
  });
}

function boot() {
  var dataNode = document.getElementById("hyperion-data");
  var data = dataNode ? JSON.parse(dataNode.textContent) : null;
  var src = data ? reportSource(data) : serverSource();
  var root = document.getElementById("app");
  var current = null;
  function show() {
    if (current && current.timer) clearInterval(current.timer);
    current = null;
    document.body.removeAttribute("data-ready");
    var m = /^#\/study\/(\d+)/.exec(location.hash);
    var id = m ? Number(m[1]) : (data ? data.view.summary.studyId : null);
    src.meta().then(function (meta) {
      document.getElementById("mode").textContent = meta.report ? "report" :
        meta.allowWrites ? "writes enabled" : "read-only";
      return id === null ? studiesPage(root, src) : studyPage(root, src, meta, id);
    }).then(function (page) {
      current = page || null;
      document.body.setAttribute("data-ready", "1");
    }, function (e) {
      clear(root).appendChild(el("p", { cls: "error", id: "page-error", text: String(e.message || e) }));
      document.body.setAttribute("data-ready", "1");
    });
  }
  window.addEventListener("hashchange", show);
  show();
}
boot();
`;

/** The page's script: every part, in one strict-mode function. */
export function clientScript(): string {
  return `(function () {\n"use strict";\n${CLIENT_DOM}\n${CLIENT_SOURCE}\n${CLIENT_TABLE}\n${CLIENT_STUDY}\n${CLIENT_MAIN}\n})();\n`;
}
