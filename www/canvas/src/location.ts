// The page's URL holds what is on screen (?execution=…&tab=trace&span=…&workflow=…&status=…), so any view of a
// span, or any filtered run list, can be linked to.
import type { ExecutionStatus } from "@orcheo/trace-view";

export type Tab = "workflow" | "trace";

export const STATUSES: readonly ExecutionStatus[] = ["running", "completed", "error", "cancelled", "stalled"];

export interface View {
  executionId: string | null;
  tab: Tab;
  spanId: string | null;
  workflow: string;
  status: ExecutionStatus | "";
}

export function parseStatus(value: string | null): ExecutionStatus | "" {
  return STATUSES.find((status) => status === value) ?? "";
}

export function readLocation(): View {
  const params = new URLSearchParams(window.location.search);
  return {
    executionId: params.get("execution"),
    tab: params.get("tab") === "trace" ? "trace" : "workflow",
    spanId: params.get("span"),
    workflow: params.get("workflow") ?? "",
    status: parseStatus(params.get("status")),
  };
}

export interface UrlWrite {
  /** Replace the history entry instead of adding one (span moves, filter edits). */
  replace?: boolean;
}

/** Writes `view` into the URL: a new history entry when the run or tab changes, a replacement otherwise. */
export function writeLocation(view: View, { replace = false }: UrlWrite = {}): void {
  const params = new URLSearchParams();
  if (view.executionId) params.set("execution", view.executionId);
  if (view.tab === "trace") params.set("tab", "trace");
  if (view.spanId) params.set("span", view.spanId);
  if (view.workflow) params.set("workflow", view.workflow);
  if (view.status) params.set("status", view.status);
  const query = params.toString();
  const url = `${window.location.pathname}${query ? `?${query}` : ""}`;
  if (url === `${window.location.pathname}${window.location.search}`) return;
  if (replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
}
