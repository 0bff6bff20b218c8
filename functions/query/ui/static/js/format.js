// Number, money, size and time formatting. The currency symbol is display-only (no conversion).
import config from "../../ui-config.js";

const two = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

export const currency = config.currency || "$";
export const title = config.title || "fedcost";

export function money(v) {
  const n = Number(v) || 0;
  return (n < 0 ? "-" : "") + currency + two.format(Math.abs(n));
}

export function moneyShort(v) {
  const n = Number(v) || 0;
  return (n < 0 ? "-" : "") + currency + compact.format(Math.abs(n));
}

export function num(v, digits = 2) {
  return (Number(v) || 0).toFixed(digits);
}

export function pct(v) {
  return v === null || v === undefined || !isFinite(v) ? "—" : `${(v * 100).toFixed(1)}%`;
}

export function gib(bytes) {
  return `${((Number(bytes) || 0) / 2 ** 30).toFixed(1)} GiB`;
}

/** duration formats seconds as "42s", "5m", "3h 10m", "2d 4h". */
export function duration(sec) {
  sec = Math.max(0, Math.round(Number(sec) || 0));
  if (sec < 60) return `${sec}s`;
  const m = Math.floor(sec / 60);
  if (m < 60) return `${m}m`;
  const hr = Math.floor(m / 60);
  if (hr < 48) return m % 60 ? `${hr}h ${m % 60}m` : `${hr}h`;
  return hr % 24 ? `${Math.floor(hr / 24)}d ${hr % 24}h` : `${Math.floor(hr / 24)}d`;
}

/** windowText shows an API window {start, end}: whole UTC days as an inclusive day range. */
export function windowText(w) {
  if (!w || !w.start) return "none";
  const s = new Date(w.start);
  const e = new Date(w.end);
  const midnight = (d) => d.getTime() % 86400000 === 0;
  const day = (d) => d.toISOString().slice(0, 10);
  if (midnight(s) && midnight(e)) {
    const last = new Date(e.getTime() - 86400000);
    return day(s) === day(last) ? day(s) : `${day(s)} – ${day(last)}`;
  }
  const t = (d) => d.toISOString().slice(0, 16).replace("T", " ");
  return `${t(s)} – ${t(e)}`;
}

export function ago(iso, now = Date.now()) {
  if (!iso) return "never";
  return `${duration((now - Date.parse(iso)) / 1000)} ago`;
}

export function shortDate(iso, hourly) {
  const d = new Date(iso);
  const md = `${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
  if (!hourly) return md;
  return `${md} ${String(d.getUTCHours()).padStart(2, "0")}:00`;
}
