// Allocations: cost by any aggregation across every federated cluster, a stacked chart over
// time, a sortable table with drill-down, and a CSV of exactly the rows shown.
import { h } from "../dom.js";
import { get, APIError } from "../api.js";
import { update, go } from "../state.js";
import { money, windowText } from "../format.js";
import { windowPicker, filterBox, hourly } from "../controls.js";
import { chart, series } from "../chart.js";
import { table, sortRows, toCSV, download } from "../table.js";

export const title = "Allocations";

const BASE = ["cluster", "namespace", "controller", "pod", "node"];
// FINER is the next aggregation a drill-down moves to.
const FINER = { cluster: "namespace", namespace: "controller", controller: "pod", node: "pod" };
const IDLE_MODES = [["separate", "Idle as a row"], ["split", "Idle per cluster"], ["share", "Idle shared"], ["hide", "Idle hidden"]];
const SPECIAL = /^__(idle|unmounted|external|filtered)__$/;

export function readState(p) {
  const aggregate = (p.get("aggregate") || "cluster").split(",").map((a) => a.trim()).filter(Boolean);
  return {
    window: p.get("window") || "7d",
    aggregate: aggregate.length ? aggregate : ["cluster"],
    filter: p.get("filter") || "",
    idle: IDLE_MODES.some(([m]) => m === p.get("idle")) ? p.get("idle") : "separate",
    sort: p.get("sort") || "total",
    dir: p.get("dir") === "asc" ? "asc" : "desc",
    rows: Math.max(1, Number(p.get("rows")) || 1000), // rows rendered before "Show all"
  };
}

/** apiParams are the query parameters of the state (shared by the table, chart and totals). */
export function apiParams(st) {
  const q = { window: st.window, aggregate: st.aggregate.join(","), filter: st.filter, idle: "true" };
  if (st.idle === "split") q.splitIdle = "true";
  if (st.idle === "share") q.shareIdle = "true";
  if (st.idle === "hide") q.idle = "false";
  return q;
}

function quoteOK(v) {
  return !v.includes('"');
}

/** drill returns the filter clauses that select one row, or null if the row cannot be drilled. */
function drillClauses(aggregate, name) {
  const parts = name.split("/");
  if (parts.length !== aggregate.length || parts.some((p) => SPECIAL.test(p) || !quoteOK(p))) return null;
  const out = [];
  for (let i = 0; i < parts.length; i++) {
    const a = aggregate[i];
    const v = parts[i];
    if (["cluster", "namespace", "pod", "node", "container"].includes(a)) out.push(`${a}:"${v}"`);
    else if (a === "controller") {
      const c = v.indexOf(":");
      if (c > 0) out.push(`controllerKind:"${v.slice(0, c)}"`, `controllerName:"${v.slice(c + 1)}"`);
      else out.push(`controllerName:"${v}"`);
    } else if (/^(label|annotation):[0-9A-Za-z_-]+$/.test(a)) {
      const [kind, key] = a.split(":");
      out.push(`${kind}[${key}]:"${v}"`);
    } else return null;
  }
  return out;
}

function nextAggregate(aggregate) {
  const last = aggregate[aggregate.length - 1];
  const finer = FINER[last] || (/^(label|annotation):/.test(last) ? "namespace" : null);
  if (!finer) return null;
  if (aggregate.includes(finer)) return aggregate;
  return [...aggregate.slice(0, -1), finer];
}

function drillable(st) {
  return (row) => nextAggregate(st.aggregate) !== null && drillClauses(st.aggregate, row.name) !== null;
}

function drill(st, row) {
  const clauses = drillClauses(st.aggregate, row.name);
  const next = nextAggregate(st.aggregate);
  if (!clauses || !next) return;
  const base = st.filter.includes("|") ? `(${st.filter})` : st.filter;
  const filter = [base, ...clauses].filter(Boolean).join("+");
  update({ aggregate: next.join(","), filter });
}

function aggregateControls(st) {
  const custom = st.aggregate.filter((a) => !BASE.includes(a));
  const set = (list) => update({ aggregate: (list.length ? list : ["cluster"]).join(",") });
  const chips = BASE.map((a) => {
    const on = st.aggregate.includes(a);
    return h("button", {
      type: "button", class: "chip", "aria-pressed": on ? "true" : "false", "data-aggregate": a,
      onclick: () => set(on ? st.aggregate.filter((x) => x !== a) : [...st.aggregate, a]),
    }, a);
  });
  const input = h("input", {
    type: "text", id: "aggregate-custom", value: custom.join(", "), placeholder: "label:app, annotation:owner", spellcheck: "false",
    "aria-label": "Aggregate by label or annotation",
    onchange: (e) => {
      const typed = e.target.value.split(",").map((x) => x.trim()).filter(Boolean)
        .map((x) => (/^(label|annotation):/.test(x) ? x : `label:${x}`));
      set([...st.aggregate.filter((a) => BASE.includes(a)), ...typed]);
    },
  });
  return h("div", { class: "field" }, h("span", { class: "label" }, "Aggregate by"), h("span", { class: "chips" }, chips), input);
}

function toRow(a) {
  return {
    name: a.name, cpu: a.cpuCost, ram: a.ramCost, gpu: a.gpuCost, pv: a.pvCost, network: a.networkCost,
    lb: a.loadBalancerCost, shared: a.sharedCost, idle: (a.cpuCostIdle || 0) + (a.ramCostIdle || 0) + (a.gpuCostIdle || 0),
    total: a.totalCost, effWeight: a.cpuCost + a.ramCost,
    // Idle and unmounted volumes have no efficiency; they show a dash rather than 0%.
    eff: SPECIAL.test(a.name.split("/").pop()) ? null : a.totalEfficiency,
  };
}

function columns(st) {
  const m = (key, label) => ({ key, label, kind: "money", value: (r) => r[key] });
  return [
    { key: "name", label: st.aggregate.join(" / "), kind: "text", value: (r) => r.name },
    m("cpu", "CPU"), m("ram", "RAM"), m("gpu", "GPU"), m("pv", "PV"), m("network", "Network"), m("lb", "Load balancer"), m("shared", "Shared"),
    ...(st.idle === "share" ? [m("idle", "Idle")] : []),
    m("total", "Total"),
    { key: "eff", label: "Efficiency", kind: "pct", value: (r) => r.eff },
  ];
}

function totalsOf(cols, rows) {
  const t = {};
  for (const c of cols) if (c.kind === "money") t[c.key] = rows.reduce((s, r) => s + (Number(c.value(r)) || 0), 0);
  const work = rows.filter((r) => !SPECIAL.test(r.name.split("/").pop()));
  const w = work.reduce((s, r) => s + r.effWeight, 0);
  t.eff = w > 0 ? work.reduce((s, r) => s + r.eff * r.effWeight, 0) / w : null;
  return t;
}

export function view(params) {
  const st = readState(params);
  const filter = filterBox(st.filter, (f) => update({ filter: f }), 'namespace:"kube-system" | label[team]:"search"');
  const csvButton = h("button", { type: "button", id: "download-csv", disabled: true }, "Download CSV");
  const controls = h("div", { class: "toolbar" },
    windowPicker(st.window, (w) => update({ window: w })),
    aggregateControls(st),
    h("div", { class: "field" }, h("label", { for: "idle" }, "Idle"),
      h("select", { id: "idle", onchange: (e) => update({ idle: e.target.value }) },
        IDLE_MODES.map(([v, l]) => h("option", { value: v, selected: v === st.idle }, l)))),
    filter.form,
    h("div", { class: "field actions" }, csvButton));

  async function load(signal) {
    const q = apiParams(st);
    let acc, steps;
    try {
      [acc, steps] = await Promise.all([
        get("model/allocation/summary", { ...q, accumulate: "true" }, signal),
        get("model/allocation/summary", { ...q, step: hourly(st.window) ? "1h" : "1d" }, signal),
      ]);
    } catch (e) {
      if (e instanceof APIError && e.status === 400 && /^parameter filter/.test(e.message)) {
        filter.showError(e.message);
        e.inline = true;
      }
      throw e;
    }
    const byName = new Map();
    for (const set of acc.sets) {
      for (const a of Object.values(set.allocations)) {
        const r = toRow(a);
        const prev = byName.get(r.name);
        if (!prev) { byName.set(r.name, r); continue; }
        for (const k of ["cpu", "ram", "gpu", "pv", "network", "lb", "shared", "idle", "total"]) prev[k] += r[k];
        const w = prev.effWeight + r.effWeight;
        if (prev.eff !== null && r.eff !== null) prev.eff = w > 0 ? (prev.eff * prev.effWeight + r.eff * r.effWeight) / w : 0;
        prev.effWeight = w;
      }
    }
    const cols = columns(st);
    const rows = sortRows([...byName.values()], cols, st.sort, st.dir);
    const totals = totalsOf(cols, rows);
    const csv = toCSV(cols, rows);
    const file = `fedcost-allocations-${st.window}-${st.aggregate.join("-")}.csv`.replace(/[^0-9A-Za-z._-]+/g, "_");
    csvButton.disabled = false;
    csvButton.onclick = () => download(file, csv);
    window.fedcostLastCSV = csv; // for scripts and tests driving the page
    const windows = steps.sets.map((set) => ({
      start: set.window.start, end: set.window.end,
      values: Object.fromEntries(Object.values(set.allocations).map((a) => [a.name, a.totalCost])),
    }));
    const win = acc.window || steps.window;
    return h("div", {},
      h("div", { class: "summary" },
        h("div", { class: "card" }, h("span", { class: "label" }, "Total cost"), h("b", { id: "total-cost", "data-value": totals.total }, money(totals.total))),
        h("div", { class: "card" }, h("span", { class: "label" }, "Window (UTC)"), h("span", { id: "window-range" }, windowText(win))),
        h("div", { class: "card" }, h("span", { class: "label" }, "Rows"), h("span", { id: "row-count" }, String(rows.length))),
        st.filter ? h("div", { class: "card wide" }, h("span", { class: "label" }, "Filter"), h("code", {}, st.filter)) : null),
      chart(series(windows), { width: Math.min(1200, document.getElementById("main").clientWidth - 32), label: "Cost over time by " + st.aggregate.join("/") }),
      table({
        id: "alloc-table", columns: cols, rows, sort: st.sort, dir: st.dir, totals, limit: st.rows,
        onSort: (key, dir) => update({ sort: key, dir }),
        onRow: (r) => drill(st, r), drillable: drillable(st),
      }));
  }
  return { title, controls, load };
}

/** showCluster opens the allocations of one cluster by namespace (used by the cluster page). */
export function showCluster(cluster, win) {
  go("allocations", { window: win || "7d", aggregate: "namespace", filter: `cluster:"${cluster}"` });
}
