import type { Execution } from "@orcheo/trace-view";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { type Features, type RunFilter, fetchFeatures, fetchRun } from "./api";
import { type UrlWrite, type View, readLocation, writeLocation } from "./location";
import { RunFacts, RunList } from "./RunList";
import { useRunList } from "./runs";
import { type TabSpec, Tabs } from "./Tabs";
import { TokenForm } from "./TokenForm";
import { TraceTab } from "./TraceTab";

const TOKEN_KEY = "orcheo-trace-token";

export function App() {
  const [features, setFeatures] = useState<Features | null>(null);
  const [view, setView] = useState<View>(readLocation);
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY) ?? "");
  // The selected run as last seen, for when the list does not hold it (filtered out, found by id, linked to).
  const [selectedRun, setSelectedRun] = useState<Execution | null>(null);
  const [findStatus, setFindStatus] = useState("");
  const [workflows, setWorkflows] = useState<string[]>([]);

  const filter = useMemo<RunFilter>(
    () => ({ workflow: view.workflow, status: view.status }),
    [view.workflow, view.status],
  );
  const list = useRunList(filter, token);

  useEffect(() => {
    fetchFeatures().then(setFeatures);
    const onPop = () => setView(readLocation());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  // The workflow filter offers every workflow seen so far.
  useEffect(() => {
    const seen = (list.runs ?? []).map((run) => run.workflow_id);
    setWorkflows((known) => {
      const added = seen.filter((id) => !known.includes(id));
      return added.length === 0 ? known : [...known, ...new Set(added)].sort();
    });
  }, [list.runs]);

  const listed = view.executionId ? (list.runs?.find((run) => run.id === view.executionId) ?? null) : null;
  useEffect(() => {
    if (listed) setSelectedRun(listed);
  }, [listed]);
  // A linked run the list does not hold is looked up once, for its summary; the element fetches its trace by id
  // either way.
  const lookedUp = useRef<string | null>(null);
  useEffect(() => {
    const id = view.executionId;
    if (!id || listed || list.runs === null || selectedRun?.id === id || lookedUp.current === id) return;
    lookedUp.current = id;
    fetchRun(id, token).then(
      (run) => run && setSelectedRun((current) => (current?.id === run.id ? current : run)),
      () => {},
    );
  }, [view.executionId, listed, list.runs, selectedRun, token]);

  const run = view.executionId
    ? (listed ?? (selectedRun?.id === view.executionId ? selectedRun : null) ?? linkedRun(view.executionId))
    : null;
  const selectedElsewhere = view.executionId && !listed && selectedRun?.id === view.executionId ? selectedRun : null;

  const traceTab = features?.trace_tab ?? false;
  // A link to the Trace tab of a deployment without it lands on the Workflow tab.
  const tab = view.tab === "trace" && traceTab ? "trace" : "workflow";

  // How the next view change reaches the URL: pushed, replaced, or not at all (it came from the URL).
  const urlWrite = useRef<UrlWrite | null>(null);
  const navigate = useCallback((next: Partial<View>, options: UrlWrite = {}) => {
    urlWrite.current = options;
    setView((previous) => ({ ...previous, ...next }));
  }, []);
  useEffect(() => {
    if (urlWrite.current) writeLocation(view, urlWrite.current);
    urlWrite.current = null;
  }, [view]);

  const onFilter = useCallback(
    (next: RunFilter) => navigate({ workflow: next.workflow, status: next.status }, { replace: true }),
    [navigate],
  );

  const findRun = async (id: string) => {
    if (list.runs?.some((r) => r.id === id)) {
      navigate({ executionId: id, spanId: null });
      setFindStatus(`Execution ${id} selected`);
      return;
    }
    setFindStatus(`Looking for execution ${id}…`);
    try {
      const found = await fetchRun(id, token);
      if (!found) {
        setFindStatus(`No execution ${id}`);
        return;
      }
      setSelectedRun(found);
      navigate({ executionId: found.id, spanId: null });
      setFindStatus(`Execution ${id} selected (${found.workflow_id})`);
    } catch (error) {
      setFindStatus(`Could not look for execution ${id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const tabs: TabSpec[] = [
    { id: "workflow", label: "Workflow" },
    ...(traceTab ? [{ id: "trace" as const, label: "Trace" }] : []),
  ];
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
          list={list}
          filter={filter}
          workflows={workflows}
          selectedId={view.executionId}
          selectedElsewhere={selectedElsewhere}
          findStatus={findStatus}
          onFilter={onFilter}
          onSelect={(id) => navigate({ executionId: id, spanId: null })}
          onLoadOlder={list.loadOlder}
          onFind={(id) => void findRun(id)}
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
                <section
                  role="tabpanel"
                  id="panel-trace"
                  aria-labelledby="tab-trace"
                  tabIndex={-1}
                  hidden={tab !== "trace"}
                >
                  {run && (
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

/** A run known only by its id (a link to a run the API has not listed): the element fetches its trace by id. */
function linkedRun(id: string): Execution {
  return { id, workflow_id: "" };
}

function runTitle(run: Execution | null): string {
  if (!run) return "No execution selected";
  return run.workflow_id ? `${run.workflow_id} — ${run.status ?? "running"}` : `Execution ${run.id}`;
}
