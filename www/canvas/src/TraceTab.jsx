import { useEffect, useRef, useState } from "react";

import { API_BASE, fetchRunsOfTrace } from "./api.js";
import { DashboardLinks } from "./RunList.jsx";

/**
 * The Trace tab: one <orcheo-trace-view> whose inputs follow React state. React 19 sets `token`, `live` and
 * `selectedSpanId` as properties (the element is defined before this renders); the element's events are plain DOM
 * events, listened to here.
 */
export function TraceTab({ run, token, spanId, onSpanSelect, onOpenRun }) {
  const element = useRef(null);
  const [failure, setFailure] = useState(null);
  const [linkMissing, setLinkMissing] = useState(null);
  const [loaded, setLoaded] = useState(null);
  // Follow a run once it has been seen running, until another run is picked: the element ends live mode itself
  // when the run completes, and a run list refreshed a moment earlier must not cut it short.
  const [liveRun, setLiveRun] = useState(null);
  if (run.status === "running" && liveRun !== run.id) setLiveRun(run.id);
  const select = useRef(onSpanSelect);
  select.current = onSpanSelect;
  // A link to a span of another trace opens the run that holds it, found by trace id.
  const follow = useRef(null);
  follow.current = ({ traceId, spanId: linked }) =>
    fetchRunsOfTrace(traceId, token).then(
      (runs) => (runs.length > 0 ? onOpenRun(runs[0].id, linked) : setLinkMissing({ traceId, spanId: linked })),
      (error) => setLinkMissing({ traceId, spanId: linked, detail: error.message }),
    );

  useEffect(() => {
    setFailure(null);
    setLoaded(null);
    setLinkMissing(null);
  }, [run.id]);

  useEffect(() => {
    const el = element.current;
    const onSelect = (event) => select.current(event.detail.spanId);
    const onError = (event) => setFailure(event.detail);
    const onLink = (event) => follow.current(event.detail);
    const onLoad = (event) => {
      setFailure(null);
      setLoaded(event.detail);
    };
    el.addEventListener("span-select", onSelect);
    el.addEventListener("trace-error", onError);
    el.addEventListener("trace-load", onLoad);
    el.addEventListener("span-link", onLink);
    return () => {
      el.removeEventListener("span-link", onLink);
      el.removeEventListener("span-select", onSelect);
      el.removeEventListener("trace-error", onError);
      el.removeEventListener("trace-load", onLoad);
    };
  }, []);

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
      {(loaded || run.links?.length > 0) && (
        <p className="muted trace-facts">
          {loaded && <span data-testid="trace-loaded">{loaded.spanCount} spans</span>}
          {run.links?.length > 0 && (
            <>
              {" · Open in "}
              <DashboardLinks links={run.links} />
            </>
          )}
        </p>
      )}
      <orcheo-trace-view
        ref={element}
        id="trace-view"
        api-base={API_BASE}
        execution-id={run.id}
        live={liveRun === run.id}
        token={token || null}
        selectedSpanId={spanId}
      />
    </>
  );
}
