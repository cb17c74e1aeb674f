// The two API calls the host makes itself; the element fetches its traces on its own.
export const API_BASE = "/api";

async function getJson(path, token) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const response = await fetch(`${API_BASE}${path}`, { headers });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.detail ?? `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

/** The deployment's switches; a deployment that does not advertise them shows everything. */
export async function fetchFeatures() {
  try {
    return { trace_tab: true, ...(await getJson("/features")) };
  } catch {
    return { trace_tab: true };
  }
}

export async function fetchExecutions(token) {
  return (await getJson("/executions?limit=100", token)).executions;
}

/** The runs that hold spans of a trace: where a span link leads. */
export async function fetchRunsOfTrace(traceId, token) {
  const query = new URLSearchParams({ trace_id: traceId, include: "all", limit: "10" });
  return (await getJson(`/executions?${query}`, token)).executions;
}
