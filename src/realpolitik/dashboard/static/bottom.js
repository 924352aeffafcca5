// realpolitik dashboard: the bottom line and the state kept across reloads (loaded before app.js,
// whose helpers `$`, `el`, `fmt`, `state` and `absentNote` these functions use when called).
"use strict";

// ---------------------------------------------------------------------------------------------
// the bottom line (first thing on the page)
function nearestAnchor(iss, v) {
  if (!iss.anchors || !iss.anchors.length || v === null || v === undefined) return null;
  return iss.anchors.reduce((a, b) => (Math.abs(b.value - v) < Math.abs(a.value - v) ? b : a)).label;
}

function renderPointBottom(data) {
  const box = $("bottom-body");
  box.classList.remove("muted");
  $("bottom-state").textContent = "(at the point values: run an analysis for the distribution)";
  const m = data.models.find((x) => x.model === "ensemble") || data.models[0];
  if (!m) { box.replaceChildren(el("p", { class: "muted", text: "Choose a model to see a forecast." })); return; }
  const arts = state.scenario.issues.map((iss) => {
    const v = m.point[iss.id];
    const anchor = nearestAnchor(iss, v);
    return el("article", { class: "bl", "data-issue": iss.id, "data-kind": "point" }, [
      el("h3", { text: iss.name }),
      el("p", { class: "headline" }, [el("span", { class: "big", text: fmt(v) }), document.createTextNode(` at the inputs' point values${m.band[iss.id] ? " · " + m.band[iss.id] : ""}`)]),
      el("p", { text: `${m.title || m.model} gives ${fmt(v)} at the point values${anchor ? `, nearest to “${anchor}”` : ""}. This is one value, not the distribution: run an analysis for the median, the probability of each outcome band and the inputs that move it.` }),
    ]);
  });
  box.replaceChildren(...arts);
}

function renderBottom(bl) {
  const box = $("bottom-body");
  box.classList.remove("muted");
  if (!bl || bl.absent) { box.replaceChildren(absentNote(bl || { absent: "no forecast was run" })); return; }
  const n = bl.issues.length ? bl.issues[0].samples : 0;
  $("bottom-state").textContent = n ? `(${n.toLocaleString("en")} Monte Carlo samples)` : "";
  const arts = bl.issues.map((b) => {
    const big = b.median ?? b.point;
    const probs = Object.entries(b.band_probabilities || {}).sort((x, y) => y[1] - x[1]);
    const rest = b.sentences.filter((s) => s !== b.headline && !(b.threshold && s === b.threshold.sentence));
    return el("article", { class: "bl", "data-issue": b.issue, "data-threshold": b.threshold ? "yes" : "no" }, [
      el("h3", { text: b.issue_label }),
      el("p", { class: "headline" }, [el("span", { class: "big", text: fmt(big) }),
        document.createTextNode(b.median !== null ? " median of the samples" : " at the point values"),
        b.anchor ? document.createTextNode(` · nearest anchor: ${b.anchor}`) : null]),
      probs.length ? el("ul", { class: "bands", "aria-label": "Probability of each outcome band" },
        probs.map(([name, p]) => el("li", {}, [el("b", { text: `${Math.round(100 * p)}%` }), document.createTextNode(" " + name)]))) : null,
      el("p", { text: b.headline }),
      b.threshold ? el("p", { class: "threshold", role: "note" }, [el("b", { text: "On a threshold. " }), document.createTextNode(b.threshold.sentence.replace(/^On a threshold: /, ""))]) : null,
      el("ul", { class: "sentences" }, rest.map((s) => el("li", { text: s }))),
    ]);
  });
  box.replaceChildren(...arts);
}

// ---------------------------------------------------------------------------------------------
// a reload restores the scenario, the edits and the last results (local storage)
function saveState() {
  try {
    const doc = { ref: state.ref, edits: editList(), results: state.results };
    localStorage.setItem(STORE_KEY, JSON.stringify(doc));
  } catch (err) {
    try { localStorage.setItem(STORE_KEY, JSON.stringify({ ref: state.ref, edits: editList(), results: null })); } catch (e) { /* storage full or off */ }
  }
}

function loadState() {
  try { return JSON.parse(localStorage.getItem(STORE_KEY) || "null"); } catch (err) { return null; }
}

function restoreState(saved) {
  for (const e of saved.edits || []) {
    const input = $(`in-${e.actor}-${e.field}-${e.issue || "cap"}`);
    if (!input) continue;
    input.value = e.value;
    input.parentElement.querySelector("output").textContent = fmt(Number(input.value), Number(input.step) < 1 ? 2 : 0);
    state.edits.set(`${e.actor}|${e.field}|${e.issue || ""}`, { actor: e.actor, field: e.field, issue: e.issue || null, value: Number(input.value) });
    input.parentElement.classList.add("edited");
  }
  if (saved.results) { state.results = saved.results; renderResults(saved.results); }
  editsChanged(state.edits.size > 0);
}
