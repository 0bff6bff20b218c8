// The URL hash holds the whole UI state (#/<page>?<params>), so every view is a shareable link
// and the browser's back button undoes a drill-down.

export function current() {
  const raw = location.hash.replace(/^#\/?/, "");
  const i = raw.indexOf("?");
  const page = (i < 0 ? raw : raw.slice(0, i)) || "allocations";
  return { page, params: new URLSearchParams(i < 0 ? "" : raw.slice(i + 1)) };
}

export function href(page, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, v);
  }
  const qs = q.toString();
  return `#/${page}${qs ? "?" + qs : ""}`;
}

/** go navigates to page with params (a new history entry). */
export function go(page, params) {
  const next = href(page, params);
  if (location.hash !== next) location.hash = next;
}

/** update merges changes into the current page's params. */
export function update(changes) {
  const { page, params } = current();
  const all = Object.fromEntries(params);
  go(page, { ...all, ...changes });
}
