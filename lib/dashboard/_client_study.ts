/**
 * Browser code, part 4: the study page — summary, user attributes, note, figures,
 * importances, the trial table and a trial's detail (with `tell` and notes when the server
 * allows writes) — and its live updates: it polls the study's version (a since-cursor) every
 * second and refreshes what it shows in place when it changed.
 *
 * @module
 */

/** The study page. */
export const CLIENT_STUDY: string = String.raw`
function noteBox(note, canWrite, save) {
  var body = el("pre", { cls: "note", text: note.body === "" ? "(no note)" : note.body });
  if (!canWrite) return el("div", null, [body]);
  var area = el("textarea", { cls: "note-edit", rows: 4, value: note.body });
  var msg = el("span", { cls: "muted", role: "status" });
  var button = el("button", { text: "Save note", onclick: function () {
    save(note.version + 1, area.value).then(function (saved) {
      note = saved;
      body.textContent = saved.body === "" ? "(no note)" : saved.body;
      msg.textContent = "saved (version " + saved.version + ")";
    }, function (e) { msg.textContent = String(e.message || e); });
  } });
  return el("div", null, [body, area, el("div", null, [button, " ", msg])]);
}

function summaryBox(view) {
  var s = view.summary;
  var best = s.best ? "#" + s.best.number + ": " + s.best.values.map(fmtNum).join(", ") : "\u2013";
  var states = STATES.filter(function (k) { return s.states[k]; }).map(function (k) {
    return k.toLowerCase() + " " + s.states[k];
  }).join(", ");
  return el("dl", { cls: "summary" }, [
    el("dt", { text: "Directions" }), el("dd", { text: s.directions.join(", ") }),
    el("dt", { text: "Trials" }), el("dd", { id: "n-trials", text: s.nTrials + (states ? " (" + states + ")" : "") }),
    el("dt", { text: "Best" }), el("dd", { text: best }),
    el("dt", { text: "Started" }), el("dd", { text: fmtDate(s.datetimeStart) }),
  ]);
}

function tellForm(src, studyId, detail, done) {
  var values = el("input", { cls: "tell-values", placeholder: "value(s), comma-separated", size: 24 });
  var state = el("select", { cls: "tell-state" }, ["COMPLETE", "PRUNED", "FAIL"].map(function (s) {
    return el("option", { value: s, text: s });
  }));
  var msg = el("span", { cls: "error", role: "status" });
  var button = el("button", { text: "Tell", onclick: function () {
    var outcome = { state: state.value };
    if (state.value === "COMPLETE") {
      outcome.values = values.value.split(",").map(function (x) { return Number(x.trim()); });
    }
    src.tell(studyId, detail.row.number, outcome).then(done, function (e) {
      msg.textContent = String(e.message || e);
    });
  } });
  return el("div", { cls: "tell" }, [el("h3", { text: "Finish this trial" }), values, state, button, msg]);
}

function trialDetail(page, n) {
  return page.src.trial(page.id, n).then(function (d) {
    var kids = [
      el("h2", { text: "Trial " + d.row.number + " \u2014 " + d.row.state }),
      el("p", { cls: "muted", text: "values: " + (d.row.values ? d.row.values.map(fmtNum).join(", ") : "none") +
        " \u00B7 started " + fmtDate(d.row.start) + " \u00B7 " + fmtDuration(d.row) }),
      el("h3", { text: "Parameters" }), kvTable(d.row.params),
      el("h3", { text: "User attributes" }), kvTable(d.row.userAttrs, "user-attrs"),
    ];
    if (d.intermediate.length > 0) {
      var div = el("div", { cls: "plot small", "data-figure": "trial-intermediate" });
      kids.push(el("h3", { text: "Intermediate values" }), div);
      setTimeout(function () {
        plot(div, { data: [{ type: "scatter", mode: "lines+markers", name: "Trial " + d.row.number,
          x: d.intermediate.map(function (p) { return p[0]; }),
          y: d.intermediate.map(function (p) { return typeof p[1] === "number" ? p[1] : null; }) }],
          layout: { height: 260, xaxis: { title: { text: "Step" } }, yaxis: { title: { text: "Value" } } } });
      }, 0);
    }
    kids.push(el("h3", { text: "Note" }), noteBox(d.note, page.meta.allowWrites, function (v, b) {
      return page.src.saveNote(page.id, d.row.number, v, b);
    }));
    if (page.meta.allowWrites && d.row.state === "RUNNING") {
      kids.push(tellForm(page.src, page.id, d, function () { page.refresh(true); }));
    }
    clear(page.detail).appendChild(el("div", { id: "trial-detail" }, kids));
  }, function (e) { clear(page.detail).appendChild(el("p", { cls: "error", text: String(e.message || e) })); });
}

// The first figure is drawn before the page counts as ready; the others follow one by one,
// each in its own task, so the table answers clicks while they draw.
function drawFigures(page, list) {
  function slot(f) {
    var div = page.plots[f.id];
    if (!div) {
      div = el("div", { cls: "plot", "data-figure": f.id, "aria-label": f.title });
      page.plots[f.id] = div;
      page.figureBox.appendChild(div);
    }
    return div;
  }
  var divs = list.map(slot);
  function draw(i) {
    if (i >= list.length) return Promise.resolve();
    return page.src.figure(page.id, list[i].id).then(function (f) { return plot(divs[i], f.figure); });
  }
  var rest = function () {
    var chain = Promise.resolve();
    list.forEach(function (_, i) {
      if (i === 0) return;
      chain = chain.then(function () {
        return new Promise(function (r) { setTimeout(r, 0); }).then(function () { return draw(i); });
      });
    });
    return chain;
  };
  return draw(0).then(function () { page.later = rest(); });
}

function drawImportance(page) {
  page.src.importance(page.id).then(function (imp) {
    clear(page.importanceBox);
    if (!imp) page.importanceBox.appendChild(el("p", { cls: "muted", text: "Importances need completed trials." }));
    else {
      var div = el("div", { cls: "plot", "data-figure": imp.id });
      page.importanceBox.appendChild(div);
      plot(div, imp.figure);
    }
  }, function (e) {
    clear(page.importanceBox).appendChild(el("p", { cls: "muted", text: String(e.message || e) }));
  });
}

function studyHeader(page, view) {
  return el("div", null, [
    el("h1", { id: "study-name", text: view.summary.studyName }),
    summaryBox(view),
    el("h3", { text: "User attributes" }), kvTable(view.userAttrs, "study-attrs"),
    el("h3", { text: "Note" }), noteBox(view.note, page.meta.allowWrites, function (v, b) {
      return page.src.saveNote(page.id, null, v, b);
    }),
  ]);
}

function refreshStudy(page, full) {
  return page.src.study(page.id).then(function (view) {
    page.version = view.version;
    page.table.view = view;
    clear(page.header).appendChild(studyHeader(page, view));
    var jobs = [page.table.reload(), page.src.figures(page.id).then(function (f) { drawFigures(page, f); })];
    if (page.table.selected !== null) jobs.push(trialDetail(page, page.table.selected));
    if (full) drawImportance(page);
    return Promise.all(jobs);
  });
}

function startPolling(page) {
  var busy = false;
  page.timer = setInterval(function () {
    if (busy || page.src.poll === undefined) return;
    busy = true;
    page.src.poll(page.id, page.version).then(function (p) {
      if (!p.changed) return undefined;
      page.live.textContent = "updated " + new Date().toLocaleTimeString();
      return refreshStudy(page, false);
    }).catch(function (e) { page.live.textContent = "offline: " + String(e.message || e); })
      .then(function () { busy = false; });
  }, POLL_MS);
}

function studyPage(root, src, meta, id) {
  return src.study(id).then(function (view) {
    var page = { src: src, meta: meta, id: id, version: view.version, plots: {} };
    page.header = el("div");
    page.live = el("span", { id: "live", cls: "muted" });
    page.figureBox = el("div", { cls: "plots" });
    page.importanceBox = el("div");
    page.detail = el("aside", { cls: "card detail" }, [el("p", { cls: "muted", text: "Click a trial to see it." })]);
    page.table = trialTable(src, id, view, function (n) {
      page.table.selected = n;
      page.table.reload();
      trialDetail(page, n);
    });
    page.refresh = function (full) { return refreshStudy(page, full); };
    clear(root).appendChild(el("div", { cls: "study" }, [
      el("div", { cls: "card" }, [page.header, page.live]),
      el("div", { cls: "split" }, [page.table.node, page.detail]),
      section("Plots", "plots-card", [page.figureBox]),
      section("Parameter importances", "importance-card", [page.importanceBox]),
    ]));
    if (!meta.report) startPolling(page);
    return refreshStudy(page, true).then(function () { return page; });
  });
}
`;
