// The API calls the host makes itself; the element fetches its traces on its own.
import type { Execution, ExecutionPage, ExecutionStatus, TraceResponse } from "@orcheo/trace-view";

export const API_BASE = "/api";

/** Runs per page of the run list (the API's default). */
export const RUNS_PAGE = 50;
/** The most runs one request may ask for. */
export const RUNS_MAX_PAGE = 500;

export class ApiError extends Error {
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

async function getJson<T>(path: string, token: string): Promise<T> {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const response = await fetch(`${API_BASE}${path}`, { headers });
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = (body as { detail?: unknown }).detail;
    throw new ApiError(typeof detail === "string" ? detail : `HTTP ${response.status}`, response.status);
  }
  return body as T;
}

export interface Features {
  trace_tab: boolean;
}

/** The deployment's switches; a deployment that does not advertise them shows everything. */
export async function fetchFeatures(): Promise<Features> {
  try {
    return { trace_tab: true, ...(await getJson<Partial<Features>>("/features", "")) };
  } catch {
    return { trace_tab: true };
  }
}

/** What the run list shows: one workflow's runs, runs in one status, or all. */
export interface RunFilter {
  workflow: string;
  status: ExecutionStatus | "";
}

/** A page of run history, newest first: the first page, or the one after `cursor`. */
export async function fetchRuns(
  filter: RunFilter,
  token: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<ExecutionPage> {
  const query = new URLSearchParams({ limit: String(page.limit) });
  if (filter.workflow) query.set("workflow_id", filter.workflow);
  if (filter.status) query.set("status", filter.status);
  if (page.cursor) query.set("cursor", page.cursor);
  return getJson<ExecutionPage>(`/executions?${query}`, token);
}

/** One run by its id, with its summary (from the first span of its trace); null when the API has no such run. */
export async function fetchRun(id: string, token: string): Promise<Execution | null> {
  try {
    return (await getJson<TraceResponse>(`/executions/${encodeURIComponent(id)}/trace?limit=1`, token)).execution;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** The runs that hold spans of a trace: where a span link leads. */
export async function fetchRunsOfTrace(traceId: string, token: string): Promise<Execution[]> {
  const query = new URLSearchParams({ trace_id: traceId, include: "all", limit: "10" });
  return (await getJson<ExecutionPage>(`/executions?${query}`, token)).executions;
}
