// The page's URL holds what is on screen (?execution=…&tab=trace&span=…), so any view of a span can be linked to.
export function readLocation() {
  const params = new URLSearchParams(window.location.search);
  return {
    executionId: params.get("execution"),
    tab: params.get("tab") === "trace" ? "trace" : "workflow",
    spanId: params.get("span"),
  };
}

/** Writes `view` into the URL: a new history entry when the run or tab changes, a replacement for span moves. */
export function writeLocation(view, { replace = false } = {}) {
  const params = new URLSearchParams();
  if (view.executionId) params.set("execution", view.executionId);
  if (view.tab === "trace") params.set("tab", "trace");
  if (view.spanId) params.set("span", view.spanId);
  const query = params.toString();
  const url = `${window.location.pathname}${query ? `?${query}` : ""}`;
  if (url === `${window.location.pathname}${window.location.search}`) return;
  if (replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
}
