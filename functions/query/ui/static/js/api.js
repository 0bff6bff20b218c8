// The UI's only way to data: GET requests to the public API, with relative URLs so the UI
// works wherever the API is served (also behind a path prefix).

export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const TOKEN_KEY = "fedcost.token";

export function setToken(t) {
  if (t) localStorage.setItem(TOKEN_KEY, t);
  else localStorage.removeItem(TOKEN_KEY);
}

/** get("model/assets", {window: "7d"}, signal) resolves to the response's data. */
export async function get(path, params = {}, signal) {
  const url = new URL(path, document.baseURI);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  }
  const headers = { Accept: "application/json" };
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(url, { signal, headers });
  } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new APIError(0, `cannot reach the API: ${e.message}`);
  }
  let body;
  try {
    body = await res.json();
  } catch {
    throw new APIError(res.status, `${res.status} ${res.statusText}: the answer is not JSON`);
  }
  if (!res.ok || (body && body.code >= 400)) {
    throw new APIError(res.status, (body && body.message) || `${res.status} ${res.statusText}`);
  }
  return body.data;
}
