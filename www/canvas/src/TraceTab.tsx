import type { Execution, SpanLinkDetail, TraceErrorDetail, TraceLoadDetail } from "@orcheo/trace-view";
import { useEffect, useState } from "react";

import { API_BASE, fetchRuns, fetchRunsOfTrace, RUNS_PAGE } from "./api";
import { formatTime } from "./format";
import { DashboardLinks } from "./RunList";

interface TraceTabProps {
  run: Execution;
  token: string;
  spanId: string | null;
  onSpanSelect: (spanId: string) => void;
  onOpenRun: (executionId: string, spanId: string) => void;
}

interface MissingLink extends SpanLinkDetail {
  detail?: string;
}

/**
 * The Trace tab: one <orcheo-trace-view> whose inputs follow React state. React 19 sets `token`, `live` and
 * `selectedSpanId` as properties (the package defines the element when imported, before anything renders), and
 * adds the `on<event>` props as listeners of the element's DOM events, typed by the package.
 */
export function TraceTab({ run, token, spanId, onSpanSelect, onOpenRun }: TraceTabProps) {
  const [failure, setFailure] = useState<TraceErrorDetail | null>(null);
  const [linkMissing, setLinkMissing] = useState<MissingLink | null>(null);
  const [loaded, setLoaded] = useState<TraceLoadDetail | null>(null);
  // Follow a run once it has been seen running, until another run is picked: the element ends live mode itself
  // when the run completes, and a run list refreshed a moment earlier must not cut it short.
  const [liveRun, setLiveRun] = useState<string | null>(null);
  if (run.status === "running" && liveRun !== run.id) setLiveRun(run.id);
  // Another run of the same workflow to compare this one with (the element's compare-execution-id).
  const [compareId, setCompareId] = useState("");
  const [others, setOthers] = useState<Execution[]>([]);

  useEffect(() => {
    setFailure(null);
    setLoaded(null);
    setLinkMissing(null);
    setCompareId("");
  }, [run.id]);

  // The workflow's latest runs, whatever the run list's filter shows.
  useEffect(() => {
    setOthers([]);
    if (!run.workflow_id) return;
    let current = true;
    fetchRuns({ workflow: run.workflow_id, status: "" }, token, { limit: RUNS_PAGE }).then(
      (page) => {
        if (current) setOthers(page.executions);
      },
      () => {},
    );
    return () => {
      current = false;
    };
  }, [run.id, run.workflow_id, token]);
  const comparable = others.filter((other) => other.id !== run.id);

  // A link to a span of another trace opens the run that holds it, found by trace id.
  const follow = ({ traceId, spanId: linked }: SpanLinkDetail) =>
    fetchRunsOfTrace(traceId, token).then(
      (runs) => {
        const holder = runs[0];
        if (holder) onOpenRun(holder.id, linked);
        else setLinkMissing({ traceId, spanId: linked });
      },
      (error: unknown) =>
        setLinkMissing({ traceId, spanId: linked, detail: error instanceof Error ? error.message : String(error) }),
    );

  return (
    <>
      {failure && (
        <p className="host-alert" role="alert" data-testid="trace-failure">
          The trace could not be shown{failure.status ? ` (HTTP ${failure.status})` : ""}: {failure.detail}
        </p>
      )}
      {linkMissing && (
        <p className="host-alert" role="status" data-testid="link-missing">
          The linked span {linkMissing.spanId} of trace {linkMissing.traceId} is not stored here
          {linkMissing.detail ? ` (${linkMissing.detail})` : ""}.
        </p>
      )}
      {(loaded || (run.links?.length ?? 0) > 0) && (
        <p className="muted trace-facts">
          {loaded && <span data-testid="trace-loaded">{loaded.spanCount} spans</span>}
          {run.links && run.links.length > 0 && (
            <>
              {" · Open in "}
              <DashboardLinks links={run.links} />
            </>
          )}
        </p>
      )}
      {comparable.length > 0 && (
        <p className="compare-with">
          <label htmlFor="compare-with">Compare with…</label>{" "}
          <select id="compare-with" value={compareId} onChange={(event) => setCompareId(event.target.value)}>
            <option value="">No other run</option>
            {comparable.map((other) => (
              <option key={other.id} value={other.id}>
                {other.id} · {other.status ?? "running"} · {formatTime(other.started_at)}
              </option>
            ))}
          </select>
        </p>
      )}
      <orcheo-trace-view
        id="trace-view"
        api-base={API_BASE}
        execution-id={run.id}
        compare-execution-id={compareId || null}
        live={liveRun === run.id}
        token={token || null}
        selectedSpanId={spanId}
        onspan-select={(event) => onSpanSelect(event.detail.spanId)}
        ontrace-error={(event) => setFailure(event.detail)}
        ontrace-load={(event) => {
          setFailure(null);
          setLoaded(event.detail);
        }}
        onspan-link={(event) => void follow(event.detail)}
      />
    </>
  );
}
