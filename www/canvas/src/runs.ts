// The run list's data: the first page of the filtered run history, refreshed every few seconds, and older pages
// the user asked for. Requests run one at a time, so that a refresh and "Load older" never interleave.
import type { Execution, ExecutionPage } from "@orcheo/trace-view";
import { useCallback, useEffect, useRef, useState } from "react";

import { fetchRuns, RUNS_PAGE, type RunFilter } from "./api";

/** New runs appear without a reload, as in the Canvas' run history. */
export const RUNS_REFRESH_MS = 5000;

export interface RunListState {
  /** Newest first; null until the first page has arrived. */
  runs: Execution[] | null;
  /** Where "Load older" continues; null when there is nothing older. */
  cursor: string | null;
  /** Why the last request failed; the list shown stays. */
  error: string | null;
  loadingOlder: boolean;
}

const EMPTY: RunListState = { runs: null, cursor: null, error: null, loadingOlder: false };

type Listed = Pick<RunListState, "runs" | "cursor">;

/**
 * A refreshed first page in place of the list's head: the rows the user loaded beyond it stay (with their
 * cursor) when the page ends on a run the list holds; otherwise the page replaces the list. Runs deleted from the
 * first page go; statuses and counts on it are current.
 */
export function withFirstPage(shown: Listed, page: ExecutionPage): Listed {
  const fresh = page.executions;
  const pageCursor = page.page_info.has_next_page ? (page.page_info.cursor ?? null) : null;
  const last = fresh[fresh.length - 1];
  if (!shown.runs || !last || pageCursor === null) return { runs: fresh, cursor: pageCursor };
  const at = shown.runs.findIndex((run) => run.id === last.id);
  const tail = at < 0 ? [] : shown.runs.slice(at + 1);
  if (tail.length === 0) return { runs: fresh, cursor: pageCursor };
  const ids = new Set(fresh.map((run) => run.id));
  return { runs: [...fresh, ...tail.filter((run) => !ids.has(run.id))], cursor: shown.cursor };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The run list of `filter`, as `token` may see it; `loadOlder` appends the next page. */
export function useRunList(filter: RunFilter, token: string): RunListState & { loadOlder: () => void } {
  const [state, setState] = useState<RunListState>(EMPTY);
  const loadOlder = useRef<() => void>(() => {});
  const { workflow, status } = filter;

  useEffect(() => {
    let current = true;
    // The list as the requests left it; rendered state follows it.
    let listed: Listed = { runs: null, cursor: null };
    let queue = Promise.resolve();
    let queued = 0;
    const enqueue = (task: () => Promise<void>) => {
      queued += 1;
      queue = queue.then(task).finally(() => {
        queued -= 1;
      });
    };
    const show = (error: string | null, loadingOlder = false) => {
      if (current) setState({ ...listed, error, loadingOlder });
    };
    const refresh = () =>
      enqueue(async () => {
        try {
          const page = await fetchRuns({ workflow, status }, token, { limit: RUNS_PAGE });
          if (!current) return;
          listed = withFirstPage(listed, page);
          show(null);
        } catch (error) {
          show(message(error));
        }
      });
    loadOlder.current = () =>
      enqueue(async () => {
        const cursor = listed.cursor;
        if (!current || cursor === null) return;
        show(null, true);
        try {
          const page = await fetchRuns({ workflow, status }, token, { limit: RUNS_PAGE, cursor });
          if (!current) return;
          const ids = new Set((listed.runs ?? []).map((run) => run.id));
          listed = {
            runs: [...(listed.runs ?? []), ...page.executions.filter((run) => !ids.has(run.id))],
            cursor: page.page_info.has_next_page ? (page.page_info.cursor ?? null) : null,
          };
          show(null);
        } catch (error) {
          show(message(error));
        }
      });
    setState(EMPTY);
    refresh();
    const timer = setInterval(() => {
      // A refresh still waiting or running is as good as a new one.
      if (queued === 0) refresh();
    }, RUNS_REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [workflow, status, token]);

  const older = useCallback(() => loadOlder.current(), []);
  return { ...state, loadOlder: older };
}
