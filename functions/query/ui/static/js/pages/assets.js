// Assets: cost by type, cluster or provider over time, and every node with its price,
// utilisation and idle cost.
import { h } from "../dom.js";
import { get } from "../api.js";
import { update } from "../state.js";
import { money, gib, num } from "../format.js";
import { windowPicker, hourly } from "../controls.js";
import { chart, series } from "../chart.js";
import { table, sortRows, toCSV, download } from "../table.js";

export const title = "Assets";

const GROUPS = [["type", "Type"], ["cluster", "Cluster"], ["provider", "Provider"], ["category", "Category"], ["account", "Account"]];

function readState(p) {
  return {
    window: p.get("window") || "7d",
    group: GROUPS.some(([g]) => g === p.get("group")) ? p.get("group") : "type",
    sort: p.get("sort") || "total",
    dir: p.get("dir") === "asc" ? "asc" : "desc",
    nsort: p.get("nsort") || "total",
    ndir: p.get("ndir") === "asc" ? "asc" : "desc",
  };
}

function groupColumns(st) {
  return [
    { key: "name", label: GROUPS.find(([g]) => g === st.group)[1], kind: "text", value: (r) => r.name },
    { key: "adjustment", label: "Adjustment", kind: "money", value: (r) => r.adjustment },
    { key: "total", label: "Total", kind: "money", value: (r) => r.total },
  ];
}

const nodeColumns = [
  { key: "cluster", label: "Cluster", kind: "text", value: (r) => r.cluster },
  { key: "name", label: "Node", kind: "text", value: (r) => r.name, class: "clip" },
  { key: "type", label: "Instance type", kind: "text", value: (r) => r.type },
  { key: "provider", label: "Provider", kind: "text", value: (r) => r.provider },
  { key: "cpu", label: "CPU cores", kind: "num", value: (r) => r.cpu, fmt: (v) => num(v, 1) },
  { key: "ram", label: "RAM", kind: "num", value: (r) => r.ram, fmt: gib },
  { key: "gpu", label: "GPUs", kind: "num", value: (r) => r.gpu, fmt: (v) => num(v, 0) },
  { key: "price", label: "Price / h", kind: "money", value: (r) => r.price, fmt: (v) => money(v) },
  { key: "cpuUsed", label: "CPU used", kind: "pct", value: (r) => r.cpuUsed },
  { key: "ramUsed", label: "RAM used", kind: "pct", value: (r) => r.ramUsed },
  { key: "idle", label: "Idle", kind: "money", value: (r) => r.idle },
  { key: "idleShare", label: "Idle %", kind: "pct", value: (r) => r.idleShare },
  { key: "total", label: "Total", kind: "money", value: (r) => r.total },
];

function nodeRow(a, idleByNode) {
  const p = a.properties || {};
  const hours = (a.minutes || 0) / 60;
  const resources = (a.cpuCost || 0) + (a.ramCost || 0) + (a.gpuCost || 0);
  const idle = idleByNode.get(`${p.cluster}/${p.name}/__idle__`) || 0;
  return {
    cluster: p.cluster || "", name: p.name || "", type: a.nodeType || "", provider: p.provider || "",
    cpu: a.cpuCores, ram: a.ramBytes, gpu: a.gpuCount,
    price: hours > 0 ? a.totalCost / hours : 0,
    cpuUsed: a.cpuBreakdown ? 1 - a.cpuBreakdown.idle : null,
    ramUsed: a.ramBreakdown ? 1 - a.ramBreakdown.idle : null,
    idle, idleShare: resources > 0 ? idle / resources : null, total: a.totalCost,
  };
}

function sumMoney(cols, rows) {
  const t = {};
  for (const c of cols) if (c.kind === "money" && c.key !== "price") t[c.key] = rows.reduce((s, r) => s + (Number(c.value(r)) || 0), 0);
  return t;
}

export function view(params) {
  const st = readState(params);
  const groupSel = h("div", { class: "field" }, h("label", { for: "group" }, "Group by"),
    h("select", { id: "group", onchange: (e) => update({ group: e.target.value }) },
      GROUPS.map(([v, l]) => h("option", { value: v, selected: v === st.group }, l))));
  const csvButton = h("button", { type: "button", id: "download-nodes-csv", disabled: true }, "Download nodes CSV");
  const controls = h("div", { class: "toolbar" }, windowPicker(st.window, (w) => update({ window: w })), groupSel,
    h("div", { class: "field actions" }, csvButton));

  async function load(signal) {
    const base = { window: st.window };
    const [acc, steps, nodes, idle] = await Promise.all([
      get("model/assets", { ...base, aggregate: st.group, accumulate: "true" }, signal),
      get("model/assets", { ...base, aggregate: st.group, accumulate: hourly(st.window) ? "" : "day" }, signal),
      get("model/assets", { ...base, filter: 'assetType:"node"', accumulate: "true" }, signal),
      get("model/allocation/summary", { ...base, aggregate: "cluster,node", idle: "true", splitIdle: "true", idleByNode: "true", accumulate: "true" }, signal),
    ]);
    const rows = [];
    for (const set of acc) for (const [k, a] of Object.entries(set)) rows.push({ name: k || "(none)", adjustment: a.adjustment || 0, total: a.totalCost });
    const gcols = groupColumns(st);
    const sorted = sortRows(rows, gcols, st.sort, st.dir);
    const idleByNode = new Map();
    for (const set of idle.sets) for (const a of Object.values(set.allocations)) idleByNode.set(a.name, (idleByNode.get(a.name) || 0) + a.totalCost);
    const nrows = [];
    for (const set of nodes) for (const a of Object.values(set)) nrows.push(nodeRow(a, idleByNode));
    const nsorted = sortRows(nrows, nodeColumns, st.nsort, st.ndir);
    const csv = toCSV(nodeColumns, nsorted);
    csvButton.disabled = false;
    csvButton.onclick = () => download(`fedcost-nodes-${st.window}.csv`.replace(/[^0-9A-Za-z._-]+/g, "_"), csv);
    const windows = steps.map((set) => {
      const first = Object.values(set)[0];
      return {
        start: first ? first.window.start : "", end: first ? first.window.end : "",
        values: Object.fromEntries(Object.entries(set).map(([k, a]) => [k || "(none)", a.totalCost])),
      };
    }).filter((w) => w.start);
    const gt = sumMoney(gcols, sorted);
    return h("div", {},
      h("div", { class: "summary" },
        h("div", { class: "card" }, h("span", { class: "label" }, "Total asset cost"), h("b", { id: "assets-total", "data-value": gt.total }, money(gt.total))),
        h("div", { class: "card" }, h("span", { class: "label" }, "Nodes"), h("span", { id: "node-count" }, String(nrows.length))),
        h("div", { class: "card" }, h("span", { class: "label" }, "Node idle cost"), h("span", {}, money(nrows.reduce((s, r) => s + r.idle, 0))))),
      chart(series(windows), { width: Math.min(1200, document.getElementById("main").clientWidth - 32), label: "Asset cost over time by " + st.group }),
      table({ id: "asset-table", columns: gcols, rows: sorted, sort: st.sort, dir: st.dir, totals: gt, onSort: (sort, dir) => update({ sort, dir }) }),
      h("h2", {}, "Nodes"),
      table({ id: "node-table", columns: nodeColumns, rows: nsorted, sort: st.nsort, dir: st.ndir, totals: sumMoney(nodeColumns, nsorted), onSort: (nsort, ndir) => update({ nsort, ndir }) }));
  }
  return { title, controls, load };
}
