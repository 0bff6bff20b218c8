// The UI shell: routes #/<page>?… to a page module, shows loading and error states, and
// marks #main with data-state (loading, ready, error) and data-seq (renders completed) so
// scripts and tests can wait for a view.
import { h } from "./dom.js";
import { current, href } from "./state.js";
import { setToken } from "./api.js";
import { title as appTitle } from "./format.js";
import * as allocations from "./pages/allocations.js";
import * as assets from "./pages/assets.js";
import * as clusters from "./pages/clusters.js";

const pages = { allocations, assets, clusters };
const main = document.getElementById("main");
let runs = 0;
let done = 0;
let inflight = null;

function errorBanner(e) {
  const box = h("div", { class: "notice bad", id: "error", role: "alert" }, h("b", {}, e.status ? `Error ${e.status}: ` : "Error: "), e.message || String(e),
    h("button", { type: "button", class: "retry", onclick: () => route() }, "Retry"));
  if (e.status === 401) {
    const input = h("input", { type: "password", id: "token", placeholder: "API bearer token", autocomplete: "off" });
    box.append(h("form", { class: "token", onsubmit: (ev) => { ev.preventDefault(); setToken(input.value.trim()); route(); } }, input, h("button", { type: "submit" }, "Use token")));
  }
  return box;
}

function updateNav(page, params) {
  const win = params.get("window");
  document.querySelectorAll("#nav a").forEach((a) => {
    const p = a.dataset.page;
    a.classList.toggle("active", p === page);
    a.setAttribute("aria-current", p === page ? "page" : "false");
    a.href = href(p, p !== "clusters" && win ? { window: win } : {});
  });
}

async function route() {
  const { page, params } = current();
  const mod = pages[page];
  updateNav(page, params);
  inflight?.abort();
  inflight = new AbortController();
  const signal = inflight.signal;
  const run = ++runs;
  const finish = (state) => {
    if (run !== runs) return;
    main.dataset.state = state;
    main.dataset.seq = String(++done);
  };
  if (!mod) {
    main.replaceChildren(h("h1", {}, "Not found"), h("p", {}, "No such page. ", h("a", { href: "#/allocations" }, "Go to allocations.")));
    finish("error");
    return;
  }
  document.title = `${mod.title} · ${appTitle}`;
  main.dataset.state = "loading";
  const view = mod.view(params);
  const banner = h("div", { class: "banner" });
  const content = h("div", { class: "content", "aria-busy": "true" }, h("div", { class: "loading", id: "loading" }, h("span", { class: "spinner" }), "Loading…"));
  main.replaceChildren(h("h1", {}, view.title), view.controls, banner, content);
  try {
    const el = await view.load(signal);
    if (run !== runs) return;
    content.replaceChildren(el);
    content.removeAttribute("aria-busy");
    finish("ready");
  } catch (e) {
    if (e.name === "AbortError" || run !== runs) return;
    content.replaceChildren();
    content.removeAttribute("aria-busy");
    if (!e.inline) banner.replaceChildren(errorBanner(e));
    finish("error");
  }
}

window.addEventListener("hashchange", route);
document.querySelector(".brand").textContent = appTitle;
route();
