// realpolitik dashboard: plain JavaScript over the JSON API (see /openapi.json). No libraries.
"use strict";

// Okabe & Ito (2008): told apart with every common colour-vision deficiency (no yellow on white)
const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
const DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "10 4"];
const STORE_KEY = "realpolitik.dashboard.v1";
const SVG = "http://www.w3.org/2000/svg";
const state = {
  ref: null, scenario: null, edits: new Map(), models: [], health: null,
  forecastSeq: 0, job: null, pollTimer: null, debounce: null, results: null,
};

const $ = (id) => document.getElementById(id);
const colour = (k) => COLOURS[k % COLOURS.length];
const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x)) ? "–" : Number(x).toFixed(d);
// a number of a subsystem's table: whole numbers without decimals, others with 1-3
const smart = (x) => Number.isInteger(x) ? x.toLocaleString("en") : Math.abs(x) >= 100 ? fmt(x, 1) : fmt(x, 3);

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of [].concat(children)) if (c) node.append(c);
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---------------------------------------------------------------------------------------------
// requests
async function api(method, url, body) {
  const opts = { method, headers: {} };
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
  const resp = await fetch(url, opts);
  const type = resp.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await resp.json() : await resp.blob();
  if (!resp.ok) { const err = new Error((data && data.detail) || resp.statusText); err.status = resp.status; err.data = data; throw err; }
  return data;
}

function editList() {
  return [...state.edits.values()];
}

function request(extra = {}) {
  return { scenario: state.ref, edits: editList(), ...extra };
}

function chosenModels() {
  return [...document.querySelectorAll("#model-choices input:checked")].map((i) => i.value);
}

function chosenOptions() {
  return [...document.querySelectorAll("#option-choices input:checked")].map((i) => i.value);
}

// ---------------------------------------------------------------------------------------------
// problems (validation errors with file, line and field)
function showProblems(err, title) {
  const box = $("problems");
  const list = $("problems-list");
  list.replaceChildren();
  $("problems-title").textContent = title || "Problem:";
  const problems = (err && err.data && err.data.problems) || [];
  if (problems.length) {
    for (const p of problems) {
      // the cause first, in the words of `realpolitik validate`
      const where = p.line ? `${p.file}:${p.line}` : p.file;
      const words = p.text || `${where}: ${p.field ? p.field + ": " : ""}${p.message}`;
      list.append(el("li", { class: "problem", "data-line": p.line ?? "", "data-field": p.field, text: words }));
    }
  } else {
    const detail = err && err.data && err.data.detail;
    list.append(el("li", { class: "problem", text: typeof detail === "string" ? detail : (err && err.message) || String(err) }));
  }
  box.hidden = false;
}

function clearProblems() {
  $("problems").hidden = true;
  $("problems-list").replaceChildren();
}

// ---------------------------------------------------------------------------------------------
// scenarios
async function loadList(select) {
  const entries = await api("GET", "/api/scenarios");
  const sel = $("scenario-select");
  sel.replaceChildren();
  for (const e of entries) {
    const label = `${e.title} (${e.origin}: ${e.name})` + (e.error ? " — has problems" : "");
    sel.append(el("option", { value: e.ref, text: label }));
  }
  const want = select || state.ref || (entries.find((e) => e.ref === "builtin:iraq-2024") || entries[0] || {}).ref;
  if (want) { sel.value = want; await openScenario(want); }
}

async function openScenario(ref) {
  clearProblems();
  try {
    state.scenario = await api("GET", `/api/scenarios/${encodeURIComponent(ref)}`);
  } catch (err) {
    showProblems(err, `Cannot open ${ref}:`);
    return;
  }
  state.ref = ref;
  state.edits.clear();
  buildEditors();
  buildOptions();
  const sc = state.scenario;
  $("scenario-info").replaceChildren(el("h2", { text: sc.title }),
    el("p", { class: "muted", text: `${sc.id} · as of ${sc.as_of} · ${sc.actors.length} actors · ${sc.issues.length} issues · ${sc.sources} sources · ${sc.timeline} timeline events` }),
    sc.description ? el("p", { text: sc.description }) : null);
  $("save-name").value = ref.startsWith("user:") ? ref.slice(5) : `${sc.id}-edited`;
  resetResults();
  await refreshForecast();
}

function sliderFor(actor, field, issue, spec, lo, hi, step) {
  const key = `${actor.id}|${field}|${issue || ""}`;
  const id = `in-${actor.id}-${field}-${issue || "cap"}`;
  const value = spec.value;
  const input = el("input", { type: "range", id, min: lo, max: hi, step, value,
    "data-actor": actor.id, "data-field": field, "data-issue": issue || "", "data-initial": value });
  const out = el("output", { for: id, text: fmt(value, step < 1 ? 2 : 0) });
  const range = spec.low !== null ? ` [${fmt(spec.low, step < 1 ? 2 : 0)}–${fmt(spec.high, step < 1 ? 2 : 0)}]` : "";
  const iss = issue ? state.scenario.issues.find((i) => i.id === issue) : null;
  const what = field === "capability" ? "capability" : `${field} on ${iss ? iss.name : issue}`;
  const wrap = el("div", { class: "slider" }, [el("label", { for: id, text: `${actor.name}: ${what}${range}`, title: spec.note || "" }), input, out]);
  input.addEventListener("input", () => {
    const v = Number(input.value);
    out.textContent = fmt(v, step < 1 ? 2 : 0);
    if (Math.abs(v - Number(input.dataset.initial)) < 1e-12) state.edits.delete(key);
    else state.edits.set(key, { actor: actor.id, field, issue: issue || null, value: v });
    wrap.classList.toggle("edited", state.edits.has(key));
    editsChanged();
    saveState();
  });
  return wrap;
}

function buildEditors() {
  const sc = state.scenario;
  const box = $("actor-editors");
  box.replaceChildren();
  for (const [k, a] of sc.actors.entries()) {
    const details = el("details", { class: "actor", open: k < 2 }, [el("summary", { text: a.name })]);
    details.append(sliderFor(a, "capability", null, a.capability, 0, sc.capability_max, 1));
    for (const iss of sc.issues) {
      const span = iss.scale[1] - iss.scale[0];
      details.append(sliderFor(a, "position", iss.id, a.positions[iss.id], iss.scale[0], iss.scale[1], span > 10 ? 1 : span / 100));
      details.append(sliderFor(a, "salience", iss.id, a.salience[iss.id], 0, 1, 0.01));
    }
    box.append(details);
  }
  editsChanged(false);
}

function buildOptions() {
  const box = $("option-choices");
  box.replaceChildren();
  const opts = state.scenario.options;
  if (!opts.length) { box.append(el("span", { class: "muted", text: "this scenario has no dynamics section" })); return; }
  for (const o of opts) {
    box.append(el("label", {}, [el("input", { type: "checkbox", value: o.id, checked: true }), document.createTextNode(" " + o.name)]));
  }
}

function editsChanged(refresh = true) {
  const n = state.edits.size;
  $("edit-count").textContent = n ? `${n} edit${n > 1 ? "s" : ""}` : "no edits";
  if (!refresh) return;
  clearTimeout(state.debounce);
  $("forecast-state").dataset.state = "pending";
  state.debounce = setTimeout(refreshForecast, 200);
}

// ---------------------------------------------------------------------------------------------
// point forecast (immediate)
async function refreshForecast() {
  const seq = ++state.forecastSeq;
  const badge = $("forecast-state");
  badge.dataset.state = "loading";
  badge.textContent = "updating…";
  let data;
  try {
    data = await api("POST", "/api/forecast", request({ models: chosenModels(), positions: $("positions").value, seed: Number($("seed").value) || 0 }));
  } catch (err) {
    if (seq !== state.forecastSeq) return;
    badge.dataset.state = "error";
    badge.textContent = "error";
    showProblems(err, "The edited scenario has problems:");
    return;
  }
  if (seq !== state.forecastSeq) return;
  clearProblems();
  const sc = state.scenario;
  const table = $("point-forecast");
  const head = el("tr", {}, [el("th", { text: "model" }), ...sc.issues.map((i) => el("th", { text: `${i.name} (status quo ${fmt(i.status_quo)})` }))]);
  const rows = data.models.map((m) => el("tr", {}, [el("td", { text: m.title || m.model, title: (m.title || m.model) + pastText(m.past) }),
    ...sc.issues.map((i) => el("td", { class: "num", id: `pf-${m.model}-${i.id}`, "data-model": m.model, "data-issue": i.id,
      "data-value": m.point[i.id], text: `${fmt(m.point[i.id])}${m.band[i.id] ? " · " + m.band[i.id] : ""}` }))]));
  table.replaceChildren(el("caption", { class: "muted", text: "Forecasts at the point values, not the Monte Carlo distribution: run an analysis for the distribution." }), el("thead", {}, head), el("tbody", {}, rows));
  state.point = data;
  if (!state.results) renderPointBottom(data);
  badge.dataset.state = "ready";
  badge.textContent = state.edits.size ? "(with your edits)" : "";
}

// A model's record on past decisions, for its tooltip: error (0-100) and weight in the ensemble.
function pastText(past) {
  if (!past) return "";
  const parts = [];
  if (past.past_mae !== null && past.past_mae !== undefined) parts.push(`past error ${fmt(past.past_mae)} (0-100)`);
  if (past.weight !== null && past.weight !== undefined) parts.push(`weight in the ensemble ${past.weight.toFixed(3)}`);
  if (past.weights_source) parts.push(`weights: ${past.weights_source}`);
  return parts.length ? ` — ${parts.join("; ")}` : "";
}

// ---------------------------------------------------------------------------------------------
// jobs
async function runJob() {
  clearProblems();
  const body = request({ models: chosenModels(), positions: $("positions").value, seed: Number($("seed").value) || 0,
    samples: Number($("samples").value) || 0, sobol: Number($("sobol").value) || 0 });
  if (state.scenario.options.length) body.options = chosenOptions();
  let job;
  try { job = await api("POST", "/api/jobs", body); } catch (err) { showProblems(err, "Cannot start the run:"); return; }
  state.job = job.id;
  $("run").disabled = true;
  $("run-why").textContent = "Run is disabled while a run is in progress: cancel it to start another.";
  $("cancel").disabled = false;
  setDownloads(null);
  poll();
}

async function poll() {
  clearTimeout(state.pollTimer);
  if (!state.job) return;
  let job;
  try { job = await api("GET", `/api/jobs/${state.job}`); } catch (err) { showProblems(err, "Lost the run:"); finishJob(); return; }
  $("job-state").dataset.state = job.state;
  if (job.state === "cancelled") {
    $("progress").removeAttribute("value");
    $("progress").value = 0;
    $("job-state").textContent = "cancelled: the run was stopped before it finished; no results were kept";
    finishJob();
    return;
  }
  $("progress").value = job.progress;
  const pct = `${Math.round(job.progress * 100)}% of the whole run`;
  $("job-state").textContent = job.state === "running" || job.state === "queued" ? `${job.stage}: ${pct}` : job.state === "done" ? "done" : `${job.state}: ${job.stage}`;
  if (job.state === "done") { state.results = job.result; renderResults(job.result); setDownloads(job.id); saveState(); finishJob(); return; }
  if (job.state === "failed") { showProblems({ data: job.problems.length ? { problems: job.problems } : { detail: job.error } }, "The run failed:"); finishJob(); return; }
  state.pollTimer = setTimeout(poll, 400);
}

function finishJob() {
  $("run").disabled = false;
  $("run-why").textContent = "";
  $("cancel").disabled = true;
}

async function cancelJob() {
  if (!state.job) return;
  try { await api("POST", `/api/jobs/${state.job}/cancel`); } catch (err) { showProblems(err, "Cannot cancel:"); }
  poll();
}

function setDownloads(jobId) {
  for (const [id, fmtName] of [["download-csv", "csv"], ["download-parquet", "parquet"]]) {
    const a = $(id);
    const ok = jobId && (fmtName === "csv" || (state.health && state.health.parquet));
    a.classList.toggle("disabled", !ok);
    a.setAttribute("aria-disabled", ok ? "false" : "true");
    if (ok) a.href = `/api/jobs/${jobId}/results.${fmtName}`; else a.removeAttribute("href");
  }
  const why = [];
  if (!jobId) why.push("Result downloads are disabled until a run has finished.");
  if (!(state.health && state.health.parquet)) why.push("Parquet download is disabled: it needs pyarrow (pip install 'realpolitik[parquet]').");
  $("download-why").textContent = why.join(" ");
}

function resetResults() {
  state.results = null;
  $("dist-charts").replaceChildren(el("span", { class: "muted", text: "Run an analysis to see the Monte Carlo bands." }));
  $("traj-charts").replaceChildren(el("span", { class: "muted", text: "Run an analysis to compare the options." }));
  $("events").replaceChildren();
  $("deal-table").replaceChildren(el("span", { class: "muted", text: "Run an analysis to see the deal." }));
  $("drivers-table").replaceChildren(el("span", { class: "muted", text: "Run an analysis." }));
  $("power-table").replaceChildren();
  setDownloads(null);
}

// ---------------------------------------------------------------------------------------------
// results
function absentNote(section) {
  return el("p", { class: "absent", text: `Not available: ${section.absent}` });
}

function renderResults(r) {
  renderBottom(r.bottom_line);
  renderDistribution(r.forecast);
  renderTrajectories(r.dynamics);
  renderDeal(r.deal);
  $("drivers-table").replaceChildren(...(r.drivers.absent ? [absentNote(r.drivers)] : r.drivers.tables.map(tableOf)));
  $("power-table").replaceChildren(...(r.power.absent ? [absentNote(r.power)] : r.power.tables.map(tableOf)));
}

function renderDeal(d) {
  const box = $("deal-table");
  box.replaceChildren();
  if (d.absent) { box.append(absentNote(d)); return; }
  box.append(el("p", { id: "deal-summary", "data-p-agreement": d.p_agreement,
    text: `Negotiation between ${d.parties.join(" and ")}: an agreement in ${Math.round(100 * d.p_agreement)}% of the samples.` }));
  if (d.sentence) box.append(el("p", { id: "deal-on-scale", text: d.sentence }));
  for (const n of d.notes) box.append(el("p", { class: "warn", text: n }));
  for (const t of d.tables) box.append(t.absent ? absentNote(t) : tableOf(t));
}

function tableOf(t) {
  const head = el("tr", {}, (t.headings || t.columns).map((c) => el("th", { text: c })));
  const rows = t.rows.map((r) => el("tr", {}, r.map((v) => el("td", { class: typeof v === "number" ? "num" : "", text: typeof v === "number" ? smart(v) : (v ?? "–") }))));
  return el("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": t.caption || "table" }, el("table", {}, [t.caption ? el("caption", { class: "muted", text: t.caption }) : null, el("thead", {}, head), el("tbody", {}, rows)]));
}

function renderDistribution(fc) {
  const box = $("dist-charts");
  box.replaceChildren();
  if (fc.absent) { box.append(absentNote(fc)); return; }
  if (fc.monte_carlo) box.append(el("p", { class: "absent", text: `No Monte Carlo bands: ${fc.monte_carlo}` }));
  if (fc.warnings.length) {
    box.append(el("details", { class: "warn" }, [el("summary", { text: `How far to trust the bands (${fc.warnings.length} note${fc.warnings.length > 1 ? "s" : ""})` }),
      el("ul", {}, fc.warnings.map((w) => el("li", { text: w })))]));
  }
  const models = fc.models.concat(fc.ensemble.absent ? [] : [fc.ensemble]);
  box.append(marksLegend());
  for (const iss of state.scenario.issues) box.append(intervalChart(iss, models));
  if (fc.ensemble.absent) box.append(el("p", { class: "muted", text: `Ensemble: ${fc.ensemble.absent}` }));
}

function shortTitle(m) {
  return (m.title || m.model).replace(/\s*\(.*\)\s*$/, "");
}

function marksLegend() {
  const item = (drawing, text) => {
    const g = svg("svg", { width: 26, height: 12, "aria-hidden": "true" });
    for (const d of drawing) g.append(d);
    return el("span", {}, [g, document.createTextNode(" " + text)]);
  };
  const c = "#374151";
  return el("div", { class: "legend", role: "list", "aria-label": "Legend of the forecast charts" }, [
    item([svg("path", { d: "M13,1L18,6L13,11L8,6Z", fill: c })], "forecast at the point values"),
    item([svg("circle", { cx: 13, cy: 6, r: 4, fill: "#fff", stroke: c, "stroke-width": 1.5 })], "median of the samples"),
    item([svg("line", { x1: 2, x2: 24, y1: 6, y2: 6, stroke: c, "stroke-width": 7, opacity: 0.55 })], "central 50% of the samples"),
    item([svg("line", { x1: 2, x2: 24, y1: 6, y2: 6, stroke: c, "stroke-width": 1.5 })], "central 90%"),
    item([svg("line", { x1: 2, x2: 24, y1: 6, y2: 6, stroke: c, "stroke-dasharray": "4 3" })], "status quo"),
    item([svg("rect", { x: 4, y: 2, width: 18, height: 8, fill: COLOURS[0], opacity: 0.6 })], "histogram of the last model's samples"),
  ].map((x) => { x.setAttribute("role", "listitem"); return x; }));
}

function intervalChart(iss, models) {
  const W = 720, rowH = 26, top = 26, left = 200, right = 16, histH = 60;
  const hasHist = models.length && models[models.length - 1].histogram[iss.id];
  const H = top + (hasHist ? histH + 8 : 0) + models.length * rowH + 30;
  const [lo, hi] = iss.scale;
  const x = (v) => left + (W - left - right) * (v - lo) / (hi - lo);
  const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": `Forecast distribution of ${iss.name}`, "data-issue": iss.id });
  g.append(svg("text", { x: 4, y: 14, "font-weight": "600" }, `${iss.name} (status quo ${fmt(iss.status_quo)}, dashed)`));
  const bandFills = ["#e8f1f8", "#fbeee6", "#e6f5f0", "#f7edf3", "#fdf3e0"];
  const y0 = top + (hasHist ? histH + 8 : 0);
  iss.bands.forEach((b, k) => {
    g.append(svg("rect", { x: x(b.low), y: top, width: x(b.high) - x(b.low), height: H - top - 30, fill: bandFills[k % bandFills.length] }));
    g.append(svg("line", { x1: x(b.low), x2: x(b.low), y1: top, y2: H - 30, stroke: "#9ca3af", "stroke-width": 0.6 }));
    g.append(svg("text", { x: (x(b.low) + x(b.high)) / 2, y: H - 18, "text-anchor": "middle", fill: "#374151" }, b.name));
  });
  if (hasHist) {
    const last = models[models.length - 1];
    const h = last.histogram[iss.id];
    const peak = Math.max(1, ...h.counts);
    h.counts.forEach((c, k) => {
      const bh = histH * c / peak;
      g.append(svg("rect", { x: x(h.edges[k]) + 0.5, y: top + histH - bh, width: Math.max(0, x(h.edges[k + 1]) - x(h.edges[k]) - 1), height: bh, fill: colour(models.length - 1), opacity: 0.6 }));
    });
    g.append(svg("text", { x: 4, y: top + histH / 2 }, `${shortTitle(last)}: histogram of ${last.samples} samples`));
  }
  models.forEach((m, row) => {
    const y = y0 + row * rowH + rowH / 2;
    const c = colour(row);
    g.append(svg("text", { x: 4, y: y + 4 }, shortTitle(m)));
    const q = m.quantiles[iss.id];
    if (q && q.p05 !== undefined) {
      g.append(svg("line", { x1: x(q.p05), x2: x(q.p95), y1: y, y2: y, stroke: c, "stroke-width": 1.5 }));
      g.append(svg("line", { x1: x(q.p25), x2: x(q.p75), y1: y, y2: y, stroke: c, "stroke-width": 7, opacity: 0.55 }));
      g.append(svg("circle", { cx: x(q.p50), cy: y, r: 4, fill: "#fff", stroke: c, "stroke-width": 1.5 }));
    }
    const p = m.point[iss.id];
    if (p !== null) g.append(svg("path", { d: `M${x(p)},${y - 5}L${x(p) + 5},${y}L${x(p)},${y + 5}L${x(p) - 5},${y}Z`, fill: c, "data-model": m.model }));
  });
  g.append(svg("line", { x1: x(iss.status_quo), x2: x(iss.status_quo), y1: top, y2: H - 30, stroke: "#374151", "stroke-dasharray": "4 3" }));
  for (let k = 0; k <= 4; k++) {
    const v = lo + (hi - lo) * k / 4;
    g.append(svg("text", { x: x(v), y: H - 4, "text-anchor": "middle" }, fmt(v, hi - lo > 10 ? 0 : 2)));
  }
  return g;
}

function renderTrajectories(d) {
  const box = $("traj-charts");
  box.replaceChildren();
  $("events").replaceChildren();
  if (d.absent) { box.append(absentNote(d)); return; }
  box.append(el("p", { class: "muted", text: `${d.samples} paths per option from ${d.start}; lines: medians, shaded: central ${Math.round(d.level * 100)}%.` }));
  const legend = el("div", { class: "legend" });
  d.options.forEach((o, k) => {
    const g = svg("svg", { width: 28, height: 10, "aria-hidden": "true" });
    g.append(svg("line", { x1: 1, x2: 27, y1: 5, y2: 5, stroke: colour(k), "stroke-width": 2, "stroke-dasharray": DASHES[k % DASHES.length] }));
    legend.append(el("span", {}, [g, document.createTextNode(" " + o.name)]));
  });
  box.append(legend);
  for (const v of d.variables) {
    box.append(lineChart(d, v));
    for (const note of coinciding(d, v)) box.append(el("p", { class: "muted coincide", text: note }));
  }
  if (d.scored) box.append(el("p", { class: "muted", id: "dynamics-scored", text: d.scored }));
  if (d.events.length) {
    const head = el("tr", {}, [el("th", { text: "option" }), ...d.events.map((e) => el("th", { text: e.name }))]);
    const rows = d.options.map((o) => el("tr", {}, [el("td", { text: o.name }), ...d.events.map((e) => el("td", { class: "num", text: `${Math.round(100 * (o.events[e.id] ?? 0))}%` }))]));
    $("events").append(el("table", {}, [el("caption", { class: "muted", text: "Probability of each threshold event" }), el("thead", {}, head), el("tbody", {}, rows)]));
  }
}

function lineChart(d, v) {
  const W = 720, H = 200, left = 44, right = 28, top = 22, bottom = 24;
  const all = d.options.flatMap((o) => o.series[v.id].low.concat(o.series[v.id].high)).filter((x) => x !== null);
  let lo = Math.min(...all), hi = Math.max(...all);
  if (!(hi > lo)) { lo -= 1; hi += 1; }
  const n = d.options[0].series[v.id].median.length;
  const x = (m) => left + (W - left - right) * m / Math.max(1, n - 1);
  const y = (val) => top + (H - top - bottom) * (1 - (val - lo) / (hi - lo));
  const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": v.name, "data-variable": v.id });
  g.append(svg("text", { x: 4, y: 14, "font-weight": "600" }, `${v.name} (${v.unit})`));
  for (let k = 0; k <= 4; k++) {
    const val = lo + (hi - lo) * k / 4;
    g.append(svg("line", { x1: left, x2: W - right, y1: y(val), y2: y(val), stroke: "#e5e7eb" }));
    g.append(svg("text", { x: left - 4, y: y(val) + 4, "text-anchor": "end" }, fmt(val, 0)));
  }
  const offset = n === d.months ? 1 : 0;
  for (let k = 0; k <= 4; k++) {
    const m = Math.round((n - 1) * k / 4);
    g.append(svg("text", { x: x(m), y: H - 6, "text-anchor": "middle" }, (d.dates[m + offset] || "").slice(0, 7)));
  }
  d.options.forEach((o, k) => {
    const s = o.series[v.id];
    const upper = s.high.map((val, m) => `${x(m)},${y(val ?? lo)}`);
    const lower = s.low.map((val, m) => `${x(m)},${y(val ?? lo)}`).reverse();
    g.append(svg("polygon", { points: upper.concat(lower).join(" "), fill: colour(k), opacity: 0.08, stroke: colour(k), "stroke-width": 0.6, "stroke-dasharray": "1 3" }));
    g.append(svg("polyline", { points: s.median.map((val, m) => `${x(m)},${y(val ?? lo)}`).join(" "), fill: "none", stroke: colour(k), "stroke-width": 2, "stroke-dasharray": DASHES[k % DASHES.length], "data-option": o.id }));
  });
  return g;
}

// ---------------------------------------------------------------------------------------------
// downloads, uploads, saving
async function downloadYaml() {
  try {
    const blob = await api("POST", "/api/export/yaml", request());
    const a = el("a", { href: URL.createObjectURL(blob), download: `${state.scenario.id}${state.edits.size ? "-edited" : ""}.yaml` });
    document.body.append(a); a.click(); a.remove();
  } catch (err) { showProblems(err, "Cannot export the scenario:"); }
}

async function upload(ev) {
  ev.preventDefault();
  const file = $("upload-file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  try {
    const res = await api("POST", "/api/scenarios", form);
    clearProblems();
    $("upload-state").textContent = res.saved || `kept as ${res.ref}`;
    await loadList(res.ref);
  } catch (err) {
    $("upload-state").textContent = "";
    showProblems(err, `The upload ${file.name} was refused:`);
  }
}

async function save() {
  $("save-state").textContent = "";
  try {
    const res = await api("POST", "/api/scenarios/save", request({ name: $("save-name").value, overwrite: $("save-overwrite").checked }));
    $("save-state").textContent = `saved as ${res.ref}`;
    await loadList(res.ref);
  } catch (err) { showProblems(err, "Cannot save:"); }
}

async function init() {
  state.health = await api("GET", "/api/health");
  $("version").textContent = `v${state.health.realpolitik}`;
  $("samples").max = state.health.max_samples;
  if (!state.health.scenario_dir) { $("save").disabled = true; $("save-state").textContent = "start with --scenario-dir to save"; }
  state.models = await api("GET", "/api/models");
  const box = $("model-choices");
  for (const m of state.models) box.append(el("label", { title: m.reference }, [el("input", { type: "checkbox", value: m.name, checked: true }), document.createTextNode(" " + (m.title || m.name))]));
  box.addEventListener("change", () => editsChanged());
  $("positions").addEventListener("change", () => editsChanged());
  $("scenario-select").addEventListener("change", async (e) => { await openScenario(e.target.value); saveState(); });
  $("upload-form").addEventListener("submit", upload);
  $("reset-edits").addEventListener("click", async () => { await openScenario(state.ref); saveState(); });
  $("run").addEventListener("click", runJob);
  $("cancel").addEventListener("click", cancelJob);
  $("download-yaml").addEventListener("click", downloadYaml);
  $("save").addEventListener("click", save);
  const saved = loadState();
  await loadList(saved && saved.ref);
  if (saved && saved.ref === state.ref) restoreState(saved);
  document.body.dataset.ready = "true";
}

init().catch((err) => showProblems(err, "The dashboard could not start:"));

// notes naming the options whose median lines lie on top of each other
function coinciding(d, v) {
  const groups = [];
  for (const o of d.options) {
    const med = o.series[v.id].median;
    const same = groups.find((g) => g.med.length === med.length && g.med.every((x, i) => Math.abs((x ?? 0) - (med[i] ?? 0)) <= 1e-9 * (1 + Math.abs(x ?? 0))));
    if (same) same.names.push(o.name); else groups.push({ med, names: [o.name] });
  }
  return groups.filter((g) => g.names.length > 1).map((g) => `${v.name}: the lines of ${g.names.join(" and ")} coincide (one drawn over the other).`);
}
