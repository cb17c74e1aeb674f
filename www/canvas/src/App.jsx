import { useCallback, useEffect, useRef, useState } from "react";

import { fetchExecutions, fetchFeatures } from "./api.js";
import { readLocation, writeLocation } from "./location.js";
import { RunFacts, RunList } from "./RunList.jsx";
import { Tabs } from "./Tabs.jsx";
import { TokenForm } from "./TokenForm.jsx";
import { TraceTab } from "./TraceTab.jsx";

const TOKEN_KEY = "orcheo-trace-token";
const RUNS_REFRESH_MS = 5000;

export function App({ elementReady }) {
  const [features, setFeatures] = useState(null);
  const [runs, setRuns] = useState(null);
  const [runsError, setRunsError] = useState(null);
  const [view, setView] = useState(readLocation);
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY) ?? "");
  // Rendering the element only once it is defined lets React set its properties rather than attributes.
  const [element, setElement] = useState({ ready: false, error: null });

  useEffect(() => {
    elementReady.then(
      () => setElement({ ready: true, error: null }),
      (error) => setElement({ ready: false, error: String(error) }),
    );
  }, [elementReady]);

  useEffect(() => {
    fetchFeatures().then(setFeatures);
    const onPop = () => setView(readLocation());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  useEffect(() => {
    let current = true;
    const load = () =>
      fetchExecutions(token).then(
        (list) => {
          if (!current) return;
          setRuns(list);
          setRunsError(null);
        },
        (error) => current && setRunsError(error.message),
      );
    load();
    // New runs appear without a reload, as in the Canvas' run history.
    const timer = setInterval(load, RUNS_REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [token]);

  const traceTab = features?.trace_tab ?? false;
  // A link to the Trace tab of a deployment without it lands on the Workflow tab.
  const tab = view.tab === "trace" && traceTab ? "trace" : "workflow";
  // A linked execution that is not among the latest runs still opens: the element fetches its trace by id.
  const run = view.executionId ? (runs?.find((r) => r.id === view.executionId) ?? linkedRun(view.executionId)) : null;

  // How the next view change reaches the URL: pushed, replaced, or not at all (it came from the URL).
  const urlWrite = useRef(null);
  const navigate = useCallback((next, options = {}) => {
    urlWrite.current = options;
    setView((previous) => ({ ...previous, ...next }));
  }, []);
  useEffect(() => {
    if (urlWrite.current) writeLocation(view, urlWrite.current);
    urlWrite.current = null;
  }, [view]);

  const tabs = [{ id: "workflow", label: "Workflow" }, ...(traceTab ? [{ id: "trace", label: "Trace" }] : [])];
  return (
    <>
      <header className="topbar">
        <h1>Canvas</h1>
        <span className="muted">Workflow runs</span>
        <TokenForm
          token={token}
          onChange={(value) => {
            sessionStorage.setItem(TOKEN_KEY, value);
            setToken(value);
          }}
        />
      </header>
      <div className="layout">
        <RunList
          runs={runs}
          error={runsError}
          selectedId={view.executionId}
          onSelect={(id) => navigate({ executionId: id, spanId: null })}
        />
        <main className="run">
          <h2 id="run-title">{runTitle(run)}</h2>
          {features === null ? (
            <p className="muted" role="status">
              Loading…
            </p>
          ) : (
            <>
              <Tabs tabs={tabs} selected={tab} onSelect={(id) => navigate({ tab: id })} />
              <section
                role="tabpanel"
                id="panel-workflow"
                aria-labelledby="tab-workflow"
                tabIndex={0}
                hidden={tab !== "workflow"}
              >
                {run?.workflow_id && <RunFacts run={run} />}
              </section>
              {traceTab && (
                <section role="tabpanel" id="panel-trace" aria-labelledby="tab-trace" tabIndex={-1} hidden={tab !== "trace"}>
                  {element.error && (
                    <p className="host-alert" role="alert">
                      The trace viewer could not be loaded: {element.error}
                    </p>
                  )}
                  {run && element.ready && (
                    <TraceTab
                      run={run}
                      token={token}
                      spanId={view.spanId}
                      onSpanSelect={(id) => navigate({ spanId: id }, { replace: true })}
                      onOpenRun={(executionId, spanId) => navigate({ executionId, spanId })}
                    />
                  )}
                </section>
              )}
            </>
          )}
        </main>
      </div>
    </>
  );
}

function linkedRun(id) {
  return { id, workflow_id: null, status: null };
}

function runTitle(run) {
  if (!run) return "No execution selected";
  return run.workflow_id ? `${run.workflow_id} — ${run.status}` : `Execution ${run.id}`;
}
