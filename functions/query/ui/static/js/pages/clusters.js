// Clusters: federation health, what Kubecost leaves in logs — per cluster last upload, last
// derivation, lag, agent version, stale and duplicate-id flags, and quarantined uploads.
import { h } from "../dom.js";
import { get } from "../api.js";
import { update } from "../state.js";
import { ago, duration, windowText } from "../format.js";
import { table, sortRows } from "../table.js";
import { showCluster } from "./allocations.js";

export const title = "Clusters";

function badges(c) {
  const out = [];
  if (c.stale) out.push(h("span", { class: "badge bad", "data-flag": "stale" }, "stale"));
  if (c.duplicate) out.push(h("span", { class: "badge bad", "data-flag": "duplicate" }, "duplicate id"));
  if (c.quarantined > 0) out.push(h("span", { class: "badge warn", "data-flag": "quarantined" }, `${c.quarantined} quarantined`));
  if (!out.length) out.push(h("span", { class: "badge ok" }, "ok"));
  return out;
}

export function view(params) {
  const sort = params.get("sort") || "cluster";
  const dir = params.get("dir") === "desc" ? "desc" : "asc";
  const controls = h("div", { class: "toolbar" },
    h("p", { class: "hint" }, "Upload and derivation freshness of every cluster writing to the bucket, and the uploads ingest refused. Click a cluster for its costs."),
    h("div", { class: "field actions" }, h("button", { type: "button", id: "refresh", onclick: () => window.dispatchEvent(new HashChangeEvent("hashchange")) }, "Refresh")));

  async function load(signal) {
    const st = await get("model/federation/status", {}, signal);
    const now = Date.now();
    const cols = [
      { key: "cluster", label: "Cluster", kind: "text", value: (c) => c.clusterId },
      { key: "state", label: "State", kind: "text", value: (c) => [c.stale && "stale", c.duplicate && "duplicate", c.quarantined > 0 && "quarantined"].filter(Boolean).join(" ") || "ok", fmt: () => "" },
      { key: "lastUpload", label: "Last upload", kind: "text", value: (c) => c.lastUpload || "", fmt: (v) => (v ? ago(v, now) : "never") },
      { key: "lastDerive", label: "Last derive", kind: "text", value: (c) => c.lastDerive || "", fmt: (v) => (v ? ago(v, now) : "never") },
      { key: "lag", label: "Lag", kind: "num", value: (c) => c.lagSeconds, fmt: duration },
      { key: "agent", label: "Agent version", kind: "text", value: (c) => c.agentVersion },
      { key: "installs", label: "Installs", kind: "num", value: (c) => (c.installIds || []).length, fmt: String },
      { key: "quarantined", label: "Quarantined", kind: "num", value: (c) => c.quarantined, fmt: String },
      { key: "error", label: "Last error", kind: "text", value: (c) => c.lastError, class: "wrap" },
    ];
    const rows = sortRows(st.clusters, cols, sort, dir);
    const t = table({ id: "cluster-table", columns: cols, rows, sort, dir, onSort: (s, d) => update({ sort: s, dir: d }), onRow: (c) => showCluster(c.clusterId) });
    // Fill the state column with badges and mark rows (the table renders plain text cells).
    t.querySelectorAll("tbody tr").forEach((tr, i) => {
      const c = rows[i];
      if (!c) return;
      tr.dataset.cluster = c.clusterId;
      if (c.stale) tr.classList.add("stale");
      const cell = tr.querySelector('td[data-key="state"]');
      if (cell) cell.replaceChildren(...badges(c));
      const up = tr.querySelector('td[data-key="lastUpload"]');
      if (up && c.lastUpload) up.title = c.lastUpload;
      const de = tr.querySelector('td[data-key="lastDerive"]');
      if (de && c.lastDerive) de.title = c.lastDerive;
    });
    const q = st.clusters.flatMap((c) => (c.quarantineReasons || []).map((r) => ({ cluster: c.clusterId, ...r })));
    const s = st.summary;
    return h("div", {},
      h("div", { class: "summary" },
        h("div", { class: "card" }, h("span", { class: "label" }, "Clusters"), h("b", { id: "sum-clusters" }, String(s.clusters))),
        h("div", { class: `card ${s.stale ? "bad" : ""}` }, h("span", { class: "label" }, `Stale (no upload for ${duration(s.staleAfterSeconds)})`), h("b", { id: "sum-stale" }, String(s.stale))),
        h("div", { class: `card ${s.duplicates ? "bad" : ""}` }, h("span", { class: "label" }, "Duplicate ids"), h("b", { id: "sum-duplicates" }, String(s.duplicates))),
        h("div", { class: `card ${s.quarantined ? "warn" : ""}` }, h("span", { class: "label" }, "Quarantined uploads"), h("b", { id: "sum-quarantined" }, String(s.quarantined))),
        h("div", { class: "card wide" }, h("span", { class: "label" }, "Loaded data"),
          h("span", {}, `hourly ${windowText(s.hourlyCoverage)}`), h("span", {}, `daily ${windowText(s.dailyCoverage)}`))),
      s.duplicates ? h("p", { class: "notice bad", id: "duplicate-warning" },
        "Two agent installations write the same cluster id: their uploads overwrite each other. Give every cluster its own id.") : null,
      t,
      h("h2", {}, "Quarantined uploads"),
      q.length
        ? h("div", { class: "table-wrap" }, h("table", { id: "quarantine-table" },
          h("thead", {}, h("tr", {}, ["Cluster", "Upload", "Reason", "Refused"].map((l) => h("th", { scope: "col" }, l)))),
          h("tbody", {}, q.map((r) => h("tr", {}, h("td", {}, r.cluster), h("td", { class: "key" }, h("code", {}, r.key)), h("td", {}, r.reason), h("td", { title: r.time || "" }, r.time ? ago(r.time, now) : ""))))))
        : h("p", { class: "empty", id: "quarantine-none" }, "No quarantined uploads."));
  }
  return { title, controls, load };
}
