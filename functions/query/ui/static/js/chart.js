// A stacked bar chart in plain SVG: one bar per time window, one colour per series (the top
// series by cost, the rest folded into "other"), with a y axis in money and an HTML legend.
import { h, s } from "./dom.js";
import { money, moneyShort, shortDate } from "./format.js";

const PALETTE = ["#2f6fde", "#e8833a", "#3aa676", "#c8453c", "#8a63c9", "#b5862b", "#d05fa2", "#3fa3b8", "#6b8e23", "#7d5a50"];
const IDLE = "#a7b0ba";
const OTHER = "#d3d8de";

function colorOf(name, i) {
  if (name === "other") return OTHER;
  if (name.endsWith("__idle__")) return IDLE;
  return PALETTE[i % PALETTE.length];
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * series(windows, top) folds per-window values into the chart's input. windows is
 * [{start, end, values: {name: cost}}]; the result keeps the top names by total.
 */
export function series(windows, top = 8) {
  const totals = new Map();
  for (const w of windows) for (const [k, v] of Object.entries(w.values)) totals.set(k, (totals.get(k) || 0) + v);
  const names = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a));
  const keep = names.slice(0, top);
  const folded = names.length > top;
  const keys = folded ? [...keep, "other"] : keep;
  const rows = windows.map((w) => {
    const vals = keep.map((k) => w.values[k] || 0);
    if (folded) vals.push(names.slice(top).reduce((sum, k) => sum + (w.values[k] || 0), 0));
    return { start: w.start, end: w.end, vals };
  });
  const keyTotals = keys.map((k) => (k === "other" ? names.slice(top).reduce((sum, n) => sum + totals.get(n), 0) : totals.get(k)));
  return { keys, rows, keyTotals };
}

/** chart draws series(...) into an element sized to width pixels. */
export function chart(data, { width = 900, height = 240, label = "Cost over time" } = {}) {
  const wrap = h("figure", { class: "chart" });
  if (!data.rows.length || !data.keys.length) {
    wrap.append(h("p", { class: "empty" }, "No data for this window."));
    return wrap;
  }
  const pad = { l: 64, r: 12, t: 12, b: 28 };
  const iw = Math.max(100, width - pad.l - pad.r);
  const ih = height - pad.t - pad.b;
  const max = niceMax(Math.max(...data.rows.map((r) => r.vals.reduce((a, b) => a + b, 0))));
  const y = (v) => pad.t + ih - (v / max) * ih;
  const slot = iw / data.rows.length;
  const bw = Math.max(1, Math.min(48, slot * 0.75));
  const hourly = data.rows.length > 1 && Date.parse(data.rows[0].end) - Date.parse(data.rows[0].start) < 86400000;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, class: "chart-svg" });
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    svg.append(s("line", { x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v), class: "grid" }));
    svg.append(s("text", { x: pad.l - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, moneyShort(v)));
  }
  const every = Math.ceil(data.rows.length / Math.max(1, Math.floor(iw / 70)));
  data.rows.forEach((r, i) => {
    const x = pad.l + i * slot + (slot - bw) / 2;
    let acc = 0;
    r.vals.forEach((v, k) => {
      if (v <= 0) return;
      const rect = s("rect", { x, y: y(acc + v), width: bw, height: Math.max(0.5, y(acc) - y(acc + v)), fill: colorOf(data.keys[k], k), "data-series": data.keys[k] },
        s("title", {}, `${data.keys[k]} · ${shortDate(r.start, hourly)}: ${money(v)}`));
      svg.append(rect);
      acc += v;
    });
    if (i % every === 0) {
      svg.append(s("text", { x: x + bw / 2, y: height - 8, class: "axis", "text-anchor": "middle" }, shortDate(r.start, hourly)));
    }
  });
  wrap.append(svg);
  wrap.append(h("figcaption", { class: "legend" }, data.keys.map((k, i) =>
    h("span", { class: "legend-item" }, h("i", { class: "swatch", "data-color": colorOf(k, i) }), h("span", { class: "legend-name" }, k), " ", h("b", {}, money(data.keyTotals[i]))))));
  // Swatch colours are set through the CSSOM (allowed by the CSP, unlike inline style attributes).
  wrap.querySelectorAll(".swatch").forEach((el) => { el.style.background = el.dataset.color; });
  return wrap;
}
