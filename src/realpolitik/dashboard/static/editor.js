// The scenario editor: a scenario document held here, every change checked by the server
// (POST /api/editor/check, the messages of `realpolitik validate`), with undo.
"use strict";

const KINDS = ["state", "government", "party", "armed group", "organisation", "public", "person"];
const RELATIONS = ["backs", "pressures", "attacks", "allied", "opposes"];
const DISTS = ["", "uniform", "triangular", "truncnormal", "beta"];
const state = { doc: null, readOnly: false, history: [], timer: null };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of [].concat(children)) if (c) node.append(c);
  return node;
}

async function api(method, url, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const resp = await fetch(url, opts);
  return resp;
}

function status(text, bad = false) { const s = $("ed-status"); s.textContent = text; s.className = bad ? "bad" : "muted"; }

async function problemsOf(resp) {
  try {
    const j = await resp.json();
    if (Array.isArray(j.problems)) return j.problems.map((p) => (typeof p === "string" ? p : p.text || JSON.stringify(p)));
    return [typeof j.detail === "string" ? j.detail : JSON.stringify(j.detail || j)];
  } catch (e) { return [`HTTP ${resp.status}`]; }
}

// -- the document ------------------------------------------------------------------------
function get(path) { return path.reduce((o, k) => (o == null ? undefined : o[k]), state.doc); }
function parentOf(path, create) {
  let o = state.doc;
  for (let i = 0; i < path.length - 1; i++) {
    if (o[path[i]] === undefined || o[path[i]] === null || typeof o[path[i]] !== "object") {
      if (!create) return null;
      o[path[i]] = typeof path[i + 1] === "number" ? [] : {};
    }
    o = o[path[i]];
  }
  return o;
}
function snapshot() { state.history.push(JSON.stringify(state.doc)); if (state.history.length > 200) state.history.shift(); $("ed-undo").disabled = false; }
function change(fn) { snapshot(); fn(); render(); scheduleCheck(); }

function setAt(path, value) {
  const parent = parentOf(path, true);
  const key = path[path.length - 1];
  if (value === undefined) { if (Array.isArray(parent)) parent.splice(key, 1); else delete parent[key]; } else parent[key] = value;
}

function renameIssue(oldId, newId) {
  for (const a of state.doc.actors || []) {
    for (const t of ["positions", "salience", "private_positions"]) {
      if (a[t] && oldId in a[t]) { const v = a[t][oldId]; delete a[t][oldId]; a[t][newId] = v; }
    }
  }
}
function renameActor(oldId, newId) {
  for (const r of state.doc.relations || []) { if (r.from === oldId) r.from = newId; if (r.to === oldId) r.to = newId; }
}

// An input as a mapping {value, distribution?, source?, note?} (a bare number is widened).
function asMapping(path) {
  const v = get(path);
  if (v !== null && typeof v === "object") return v;
  const m = { value: typeof v === "number" ? v : 0 };
  setAt(path, m);
  return m;
}

// -- form controls -------------------------------------------------------------------------
function textInput(path, label, opts = {}) {
  const id = "f-" + path.join("-");
  const input = el("input", { id, type: opts.type || "text", value: get(path) ?? "", "aria-label": label, step: "any" });
  input.disabled = state.readOnly;
  input.addEventListener("change", () => {
    let v = input.value;
    if (opts.type === "number") v = v === "" ? undefined : Number(v);
    else if (v === "" && opts.optional) v = undefined;
    if (get(path) === v) return;  // nothing changed: no undo step
    change(() => {
    const old = get(path);
    if (opts.onRename && v !== undefined && old !== v) opts.onRename(old, v);
    setAt(path, v);
    });
  });
  return el("label", {}, [label + " ", input]);
}

function select(path, label, choices, opts = {}) {
  const id = "f-" + path.join("-");
  const s = el("select", { id, "aria-label": label });
  for (const c of choices) s.append(el("option", { value: c, text: c === "" ? "(none)" : c }));
  s.value = get(path) ?? "";
  s.disabled = state.readOnly;
  s.addEventListener("change", () => change(() => { opts.onSet ? opts.onSet(s.value) : setAt(path, s.value === "" ? undefined : s.value); }));
  return el("label", {}, [label + " ", s]);
}

function valueEditor(path, label) {
  const v = get(path);
  const m = v !== null && typeof v === "object" ? v : { value: v };
  const box = el("span", { class: "value", id: "v-" + path.join("-") }, [el("b", { text: label })]);
  const num = (sub, name) => textInput([...path, ...sub], name, { type: "number" });
  const widen = (fn) => () => { asMapping(path); fn(); };
  const numField = (sub, name) => {
    const lab = num(sub, name);
    const input = lab.querySelector("input");
    input.value = sub.reduce((o, k) => (o == null ? undefined : o[k]), m) ?? "";
    input.addEventListener("change", widen(() => {}), { capture: true });
    return lab;
  };
  box.append(numField(["value"], "value"));
  const kind = select([...path, "distribution", "kind"], "distribution", DISTS, {
    onSet: (k) => { const mm = asMapping(path); if (!k) delete mm.distribution; else mm.distribution = { ...(mm.distribution || {}), kind: k, low: mm.distribution?.low ?? mm.value, high: mm.distribution?.high ?? mm.value }; },
  });
  kind.querySelector("select").value = m.distribution?.kind ?? "";
  box.append(kind);
  if (m.distribution) {
    box.append(numField(["distribution", "low"], "low"), numField(["distribution", "high"], "high"));
    if (m.distribution.kind === "triangular") box.append(numField(["distribution", "mode"], "mode"));
    if (m.distribution.kind === "truncnormal") box.append(numField(["distribution", "sd"], "sd"));
    if (m.distribution.kind === "beta") box.append(numField(["distribution", "a"], "a"), numField(["distribution", "b"], "b"));
  }
  const ids = ["", ...(state.doc.sources || []).map((s) => s.id)];
  const src = select([...path, "source", "id"], "source", ids, {
    onSet: (sid) => { const mm = asMapping(path); if (!sid) delete mm.source; else mm.source = { ...(mm.source || {}), id: sid }; },
  });
  src.querySelector("select").value = m.source?.id ?? "";
  box.append(src);
  if (m.source) box.append(textInput([...path, "source", "at"], "at", { optional: true }));
  const note = textInput([...path, "note"], "note", { optional: true });
  note.querySelector("input").addEventListener("change", widen(() => {}), { capture: true });
  box.append(note);
  return box;
}

function removeButton(label, fn) {
  const b = el("button", { type: "button", text: "Remove", "aria-label": "Remove " + label });
  b.disabled = state.readOnly;
  b.addEventListener("click", () => change(fn));
  return b;
}
function addButton(id, text, fn) {
  const b = el("button", { id, type: "button", text });
  b.disabled = state.readOnly;
  b.addEventListener("click", () => change(fn));
  return b;
}

// -- sections ------------------------------------------------------------------------------
function metaSection() {
  return el("section", {}, [el("h2", { text: "Scenario" }),
    textInput(["id"], "id"), textInput(["title"], "title"), textInput(["as_of"], "as of (YYYY-MM-DD)"),
    textInput(["description"], "description", { optional: true })]);
}

function sourcesSection() {
  const sec = el("section", {}, [el("h2", { text: "Sources" })]);
  (state.doc.sources || []).forEach((s, k) => sec.append(el("div", { class: "item" }, [
    textInput(["sources", k, "id"], "id"), textInput(["sources", k, "citation"], "citation"),
    textInput(["sources", k, "date"], "date", { optional: true }), textInput(["sources", k, "url"], "url", { optional: true }),
    removeButton("source " + s.id, () => state.doc.sources.splice(k, 1))])));
  sec.append(addButton("add-source", "Add source", () => {
    state.doc.sources = state.doc.sources || [];
    const n = state.doc.sources.length + 1;
    state.doc.sources.push({ id: `source${n}`, citation: "Where the numbers come from" });
  }));
  return sec;
}

function issuesSection() {
  const sec = el("section", {}, [el("h2", { text: "Issues" })]);
  (state.doc.issues || []).forEach((issue, k) => {
    const item = el("div", { class: "item" }, [
      textInput(["issues", k, "id"], "id", { onRename: renameIssue }), textInput(["issues", k, "name"], "name"),
      textInput(["issues", k, "scale", 0], "scale min", { type: "number" }), textInput(["issues", k, "scale", 1], "scale max", { type: "number" }),
      valueEditor(["issues", k, "status_quo"], "status quo"),
      removeButton("issue " + issue.id, () => {
        state.doc.issues.splice(k, 1);
        for (const a of state.doc.actors || []) for (const t of ["positions", "salience", "private_positions"]) if (a[t]) delete a[t][issue.id];
      })]);
    (issue.anchors || []).forEach((_, j) => item.append(el("div", {}, [textInput(["issues", k, "anchors", j, "value"], "anchor", { type: "number" }),
      textInput(["issues", k, "anchors", j, "label"], "label"), removeButton("anchor", () => issue.anchors.splice(j, 1))])));
    (issue.bands || []).forEach((_, j) => item.append(el("div", {}, [textInput(["issues", k, "bands", j, "name"], "band"),
      textInput(["issues", k, "bands", j, "low"], "low", { type: "number" }), textInput(["issues", k, "bands", j, "high"], "high", { type: "number" }),
      removeButton("band", () => issue.bands.splice(j, 1))])));
    const [lo, hi] = issue.scale || [0, 100];
    item.append(addButton(`add-anchor-${k}`, "Add anchor", () => { (issue.anchors = issue.anchors || []).push({ value: lo, label: "what this point means" }); }),
      addButton(`add-band-${k}`, "Add band", () => { (issue.bands = issue.bands || []).push({ name: `band${(issue.bands || []).length + 1}`, low: lo, high: hi }); }));
    sec.append(item);
  });
  sec.append(addButton("add-issue", "Add issue", () => {
    state.doc.issues = state.doc.issues || [];
    let n = state.doc.issues.length + 1;
    while (state.doc.issues.some((i) => i.id === `issue${n}`)) n++;
    const id = `issue${n}`;
    state.doc.issues.push({ id, name: `Issue ${n}`, scale: [0, 100], status_quo: 50, anchors: [], bands: [] });
    for (const a of state.doc.actors || []) { (a.positions = a.positions || {})[id] = 50; (a.salience = a.salience || {})[id] = 0.5; }
  }));
  return sec;
}

function actorsSection() {
  const sec = el("section", {}, [el("h2", { text: "Actors" })]);
  (state.doc.actors || []).forEach((a, k) => {
    const item = el("div", { class: "item" }, [
      textInput(["actors", k, "id"], "id", { onRename: renameActor }), textInput(["actors", k, "name"], "name"),
      select(["actors", k, "kind"], "kind", KINDS), valueEditor(["actors", k, "capability"], "capability"),
      removeButton("actor " + a.id, () => {
        state.doc.actors.splice(k, 1);
        state.doc.relations = (state.doc.relations || []).filter((r) => r.from !== a.id && r.to !== a.id);
      })]);
    for (const issue of state.doc.issues || []) {
      item.append(el("div", {}, [valueEditor(["actors", k, "positions", issue.id], `position on ${issue.id}`),
        valueEditor(["actors", k, "salience", issue.id], `salience on ${issue.id}`)]));
    }
    sec.append(item);
  });
  sec.append(addButton("add-actor", "Add actor", () => {
    state.doc.actors = state.doc.actors || [];
    let n = state.doc.actors.length + 1;
    while (state.doc.actors.some((a) => a.id === `actor${n}`)) n++;
    const positions = {}, salience = {};
    for (const i of state.doc.issues || []) { const [lo, hi] = i.scale || [0, 100]; positions[i.id] = (lo + hi) / 2; salience[i.id] = 0.5; }
    state.doc.actors.push({ id: `actor${n}`, name: `Actor ${n}`, kind: "state", capability: 50, positions, salience });
  }));
  return sec;
}

function relationsSection() {
  const sec = el("section", {}, [el("h2", { text: "Relations" })]);
  const ids = (state.doc.actors || []).map((a) => a.id);
  (state.doc.relations || []).forEach((r, k) => sec.append(el("div", { class: "item" }, [
    select(["relations", k, "from"], "from", ids), select(["relations", k, "to"], "to", ids),
    select(["relations", k, "kind"], "kind", RELATIONS), valueEditor(["relations", k, "weight"], "weight"),
    removeButton("relation", () => state.doc.relations.splice(k, 1))])));
  sec.append(addButton("add-relation", "Add relation", () => {
    state.doc.relations = state.doc.relations || [];
    state.doc.relations.push({ from: ids[0], to: ids[1] ?? ids[0], kind: "backs", weight: 0.5 });
  }));
  return sec;
}

function render() {
  const form = $("ed-form");
  form.replaceChildren();
  if (!state.doc) return;
  if (state.readOnly) form.append(el("p", { class: "ro", id: "ed-readonly", text: "A built-in scenario is read-only: save it as a copy under another name to edit it." }));
  form.append(metaSection(), sourcesSection(), issuesSection(), actorsSection(), relationsSection());
}

// -- checks, saving, downloads, forecast ------------------------------------------------------
function scheduleCheck() { clearTimeout(state.timer); state.timer = setTimeout(check, 150); }

async function check() {
  document.body.dataset.checked = "false";
  const resp = await api("POST", "/api/editor/check", { doc: state.doc });
  const j = await resp.json();
  $("ed-problems").replaceChildren(...j.problems.map((p) => el("li", { text: p })));
  $("ed-warnings").replaceChildren(...j.warnings.map((w) => el("li", { text: "warning: " + w })));
  $("ed-ok").textContent = j.ok ? "Valid: no problems." : `${j.problems.length} problem(s).`;
  document.body.dataset.checked = "true";
  document.body.dataset.valid = j.ok ? "true" : "false";
}

function load(doc, readOnly) {
  state.doc = doc; state.readOnly = readOnly; state.history = []; $("ed-undo").disabled = true;
  $("ed-name").value = (doc.id || "scenario") + (readOnly ? "-copy" : "");
  render(); check();
}

async function download(kind) {
  const resp = await api("POST", `/api/editor/download.${kind}`, { doc: state.doc });
  if (!resp.ok) { status((await problemsOf(resp)).join("; "), true); return; }
  const blob = await resp.blob();
  const a = el("a", { href: URL.createObjectURL(blob), download: `${state.doc.id || "scenario"}.${kind}` });
  document.body.append(a); a.click(); a.remove();
  status(`downloaded ${state.doc.id}.${kind}`);
}

async function forecast() {
  const table = $("ed-forecast-table");
  const resp = await api("POST", "/api/editor/forecast", { doc: state.doc });
  if (!resp.ok) { status((await problemsOf(resp)).join("; "), true); table.replaceChildren(); return; }
  const j = await resp.json();
  const head = el("tr", {}, [el("th", { text: "model" }), ...j.issues.map((i) => el("th", { text: i }))]);
  const rows = j.models.map((m) => el("tr", {}, [el("td", { text: m.model }), ...j.issues.map((i) => {
    const v = m.point[i];
    return el("td", { id: `fc-${m.model}-${i}`, "data-value": v === null ? "" : String(v), text: v === null ? "-" : v.toFixed(2) });
  })]));
  table.replaceChildren(head, ...rows);
  status("forecast done");
}

async function save() {
  const name = $("ed-name").value.trim();
  const resp = await api("POST", "/api/editor/save", { doc: state.doc, name });
  if (!resp.ok) { status((await problemsOf(resp)).join("; "), true); return; }
  const j = await resp.json();
  status(`saved as ${j.ref}`);
  await fillOpen();
  if (state.readOnly) await open(j.ref);  // the copy is the user's own: editable
}

async function fillOpen() {
  const list = await (await api("GET", "/api/scenarios")).json();
  const s = $("ed-open");
  s.replaceChildren(el("option", { value: "", text: "(choose)" }), ...list.map((e) => el("option", { value: e.ref, text: e.ref })));
}

async function open(ref) {
  const resp = await api("GET", `/api/editor/doc/${encodeURIComponent(ref)}`);
  if (!resp.ok) { status((await problemsOf(resp)).join("; "), true); return; }
  const j = await resp.json();
  load(j.doc, j.read_only);
  status(`opened ${ref}` + (j.read_only ? " (read-only: save as a copy)" : ""));
}

async function upload(file) {
  const fd = new FormData();
  fd.append("file", file);
  const resp = await fetch("/api/editor/read", { method: "POST", body: fd });
  if (!resp.ok) { status((await problemsOf(resp)).join("; "), true); return; }
  load((await resp.json()).doc, false);
  status(`read ${file.name}`);
}

async function start(empty) {
  const j = await (await api("GET", `/api/editor/template?empty=${empty}`)).json();
  load(j.doc, false);
}

window.addEventListener("DOMContentLoaded", async () => {
  $("ed-new-template").addEventListener("click", () => start(false));
  $("ed-new-empty").addEventListener("click", () => start(true));
  $("ed-open").addEventListener("change", (e) => { if (e.target.value) open(e.target.value); });
  $("ed-upload").addEventListener("change", (e) => { if (e.target.files[0]) upload(e.target.files[0]); });
  $("ed-undo").addEventListener("click", () => {
    if (!state.history.length) return;
    state.doc = JSON.parse(state.history.pop());
    $("ed-undo").disabled = !state.history.length;
    render(); scheduleCheck();
  });
  $("ed-save").addEventListener("click", save);
  $("ed-yaml").addEventListener("click", () => download("yaml"));
  $("ed-xlsx").addEventListener("click", () => download("xlsx"));
  $("ed-forecast").addEventListener("click", forecast);
  await fillOpen();
  await start(false);
  document.body.dataset.ready = "true";
});
