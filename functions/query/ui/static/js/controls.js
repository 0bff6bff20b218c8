// Controls shared by the pages: the window picker and the filter box.
import { h } from "./dom.js";

export const PRESETS = [
  ["today", "Today"], ["yesterday", "Yesterday"], ["24h", "Last 24 hours"], ["7d", "Last 7 days"],
  ["30d", "Last 30 days"], ["week", "This week"], ["month", "This month"], ["lastmonth", "Last month"],
];

const DAY = 86400000;

function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

/** customWindow turns an inclusive day range into the API's RFC3339 pair. */
export function customWindow(from, to) {
  return `${from}T00:00:00Z,${isoDay(Date.parse(to + "T00:00:00Z") + DAY)}T00:00:00Z`;
}

function parseCustom(win) {
  const m = /^(\d{4}-\d\d-\d\d)T00:00:00Z,(\d{4}-\d\d-\d\d)T00:00:00Z$/.exec(win || "");
  return m ? [m[1], isoDay(Date.parse(m[2] + "T00:00:00Z") - DAY)] : ["", ""];
}

/** hourly reports whether a window is short enough to chart by the hour. */
export function hourly(win) {
  if (["today", "yesterday", "24h"].includes(win)) return true;
  const m = /^([^,]+),([^,]+)$/.exec(win || "");
  return !!m && Date.parse(m[2]) - Date.parse(m[1]) <= 2 * DAY;
}

/** windowPicker: presets and a custom day range; onChange(window) on a choice. */
export function windowPicker(win, onChange) {
  const preset = PRESETS.some(([v]) => v === win);
  const [from, to] = parseCustom(win);
  const fromI = h("input", { type: "date", id: "window-from", "aria-label": "From (UTC)", value: from });
  const toI = h("input", { type: "date", id: "window-to", "aria-label": "To (UTC, inclusive)", value: to });
  const custom = h("span", { class: "custom", hidden: preset },
    fromI, h("span", { class: "dash" }, "–"), toI,
    h("button", { type: "button", id: "window-apply", onclick: () => { if (fromI.value && toI.value) onChange(customWindow(fromI.value, toI.value)); } }, "Apply"));
  const sel = h("select", {
    id: "window",
    onchange: (e) => {
      if (e.target.value === "custom") custom.hidden = false;
      else onChange(e.target.value);
    },
  },
  PRESETS.map(([v, l]) => h("option", { value: v, selected: v === win }, l)),
  h("option", { value: "custom", selected: !preset }, preset ? "Custom range…" : from ? "Custom range" : `Custom: ${win}`));
  return h("div", { class: "field" }, h("label", { for: "window" }, "Window"), sel, custom);
}

/** filterBox: the v2 filter language with Apply and Clear, and an inline error line. */
export function filterBox(value, onApply, placeholder) {
  const input = h("input", { type: "text", id: "filter", value, spellcheck: "false", autocomplete: "off", placeholder });
  const error = h("div", { id: "filter-error", class: "filter-error", role: "alert", hidden: true });
  const form = h("form", {
    class: "field filter",
    onsubmit: (e) => { e.preventDefault(); onApply(input.value.trim()); },
  },
  h("label", { for: "filter" }, "Filter"), input,
  h("button", { type: "submit", id: "filter-apply" }, "Apply"),
  h("button", { type: "button", id: "filter-clear", onclick: () => onApply("") }, "Clear"),
  error);
  return { form, showError(msg) { error.textContent = msg; error.hidden = !msg; } };
}
