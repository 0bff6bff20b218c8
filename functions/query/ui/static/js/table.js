// A sortable table and its CSV twin. A column is {key, label, kind, value(row), fmt?, class?};
// kind is "text" (sorted alphabetically) or a number kind ("money", "pct", "num"), right-aligned;
// class "clip" shortens long text (full text on hover), "wrap" lets it wrap.
import { h } from "./dom.js";
import { money, pct, num } from "./format.js";

const formatters = { money, pct, num: (v) => num(v), text: (v) => (v === undefined || v === null ? "" : String(v)) };

function display(col, v) {
  return (col.fmt || formatters[col.kind] || formatters.text)(v);
}

/** sortRows returns rows sorted by column key (dir "asc" or "desc"). */
export function sortRows(rows, columns, key, dir) {
  const col = columns.find((c) => c.key === key) || columns[0];
  const sign = dir === "asc" ? 1 : -1;
  const out = rows.slice();
  out.sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    if (col.kind === "text") return sign * String(x ?? "").localeCompare(String(y ?? ""));
    return sign * ((Number(x) || 0) - (Number(y) || 0));
  });
  return out;
}

/**
 * table renders rows (already sorted) with a header that sorts on click (onSort(key, dir))
 * and an optional footer of totals ({key: value}). onRow(row), when set and drillable(row)
 * allows, makes rows clickable.
 */
export function table({ id, columns, rows, sort, dir, onSort, onRow, drillable, totals, empty, limit = 1000 }) {
  const head = h("tr", {},
    columns.map((c) => {
      const active = c.key === sort;
      const next = active && dir === "desc" ? "asc" : "desc";
      return h("th", { class: c.kind === "text" ? "" : "num", "aria-sort": active ? (dir === "asc" ? "ascending" : "descending") : "none", scope: "col" },
        h("button", { type: "button", "data-sort": c.key, onclick: () => onSort && onSort(c.key, next) },
          c.label, active ? (dir === "asc" ? " ▲" : " ▼") : ""));
    }));
  const bodyRow = (r) => {
    const canDrill = onRow && (!drillable || drillable(r));
    return h("tr", {
      class: canDrill ? "drill" : "",
      tabindex: canDrill ? 0 : null,
      title: canDrill ? "Click to drill down" : null,
      onclick: canDrill ? () => onRow(r) : null,
      onkeydown: canDrill ? (e) => { if (e.key === "Enter") onRow(r); } : null,
    }, columns.map((c) => {
      const v = c.value(r);
      const text = display(c, v);
      return h("td", { class: [c.kind === "text" ? "" : "num", c.class || ""].join(" ").trim(), "data-key": c.key, "data-value": c.kind === "text" ? null : v, title: c.class === "clip" ? text : null }, text);
    }));
  };
  // Long tables render the first rows and offer the rest, so a pod-level view of a large fleet
  // does not freeze the page; totals and the CSV always cover every row.
  const body = rows.slice(0, limit).map(bodyRow);
  if (rows.length > limit) {
    const more = h("tr", { class: "more" }, h("td", { colspan: columns.length },
      h("button", { type: "button", class: "show-all", onclick: () => more.replaceWith(...rows.slice(limit).map(bodyRow)) },
        `Show all ${rows.length} rows (${rows.length - limit} more)`)));
    body.push(more);
  }
  if (!rows.length) {
    body.push(h("tr", {}, h("td", { class: "empty", colspan: columns.length }, empty || "No data for this selection.")));
  }
  const foot = totals
    ? h("tfoot", {}, h("tr", {}, columns.map((c, i) => {
      const v = totals[c.key];
      if (i === 0) return h("th", { scope: "row" }, "Total");
      return h("td", { class: c.kind === "text" ? "" : "num", "data-key": c.key, "data-value": v ?? null }, v === undefined ? "" : display(c, v));
    })))
    : null;
  return h("div", { class: "table-wrap" }, h("table", { id }, h("thead", {}, head), h("tbody", {}, body), foot));
}

function csvCell(v) {
  const s = v === undefined || v === null ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** toCSV writes the rows as shown: the same columns in the same order, raw numbers. */
export function toCSV(columns, rows) {
  const lines = [columns.map((c) => csvCell(c.label)).join(",")];
  for (const r of rows) lines.push(columns.map((c) => csvCell(c.value(r))).join(","));
  return lines.join("\n") + "\n";
}

/** download saves text as a file through a temporary object URL. */
export function download(filename, text, type = "text/csv") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
