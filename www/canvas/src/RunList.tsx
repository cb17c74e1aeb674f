import type { DashboardLink, Execution } from "@orcheo/trace-view";
import { type KeyboardEvent, useEffect, useRef, useState } from "react";

import type { RunFilter } from "./api";
import { formatCount, formatTime, runDuration } from "./format";
import { STATUSES, parseStatus } from "./location";
import type { RunListState } from "./runs";

/** How long typing in the workflow filter waits before the list follows. */
const FILTER_DELAY_MS = 300;

interface RunListProps {
  list: RunListState;
  filter: RunFilter;
  /** Workflow ids seen so far, offered by the workflow filter. */
  workflows: string[];
  selectedId: string | null;
  /** The selected run when the list does not hold it (filtered out, found by id, linked to). */
  selectedElsewhere: Execution | null;
  findStatus: string;
  onFilter: (filter: RunFilter) => void;
  onSelect: (id: string) => void;
  onLoadOlder: () => void;
  onFind: (id: string) => void;
}

/** The run history: filters, finding a run by id, the runs (a listbox), and older pages on request. */
export function RunList(props: RunListProps) {
  const { list, filter, selectedId, selectedElsewhere } = props;
  // After "Load older", focus goes to the first run it brought (the button may be gone: nothing older): the one
  // after the run that was last when the button was pressed, once that load has finished.
  const older = useRef<{ after: string; started: boolean } | null>(null);
  useEffect(() => {
    const pending = older.current;
    if (!pending) return;
    if (list.loadingOlder) {
      pending.started = true;
      return;
    }
    if (!pending.started) return;
    older.current = null;
    const runs = list.runs ?? [];
    const last = runs.findIndex((run) => run.id === pending.after);
    const next = last < 0 ? undefined : runs[last + 1];
    if (next) document.getElementById(optionId(next.id))?.focus();
  }, [list.runs, list.loadingOlder]);
  const filtered = Boolean(filter.workflow || filter.status);
  let status: string;
  if (list.runs === null) status = list.error ? `Could not load executions: ${list.error}` : "Loading executions…";
  else if (list.runs.length === 0) status = filtered ? "No executions match the filters" : "No executions yet";
  else {
    const older = list.cursor ? ", older ones not loaded" : "";
    status = `${formatCount(list.runs.length, "execution", "executions")}${older}`;
  }
  if (list.runs !== null && list.error) status += ` · Could not load executions: ${list.error}`;
  return (
    <nav className="runs" aria-labelledby="runs-heading">
      <h2 id="runs-heading">Executions</h2>
      <RunFilters filter={filter} workflows={props.workflows} onFilter={props.onFilter} />
      <FindRun status={props.findStatus} onFind={props.onFind} />
      <p id="runs-status" className="muted" role="status">
        {status}
      </p>
      {selectedElsewhere && selectedElsewhere.id === selectedId && (
        <p className="muted selected-elsewhere" data-testid="selected-elsewhere">
          Selected: {selectedElsewhere.workflow_id} <code>{shortId(selectedElsewhere.id)}</code>, not in this list
        </p>
      )}
      {list.runs !== null && list.runs.length > 0 && (
        <RunOptions runs={list.runs} selectedId={selectedId} onSelect={props.onSelect} />
      )}
      {list.cursor !== null && (
        <button
          type="button"
          id="load-older"
          className="load-older"
          disabled={list.loadingOlder}
          onClick={() => {
            const last = list.runs?.[list.runs.length - 1];
            older.current = last ? { after: last.id, started: false } : null;
            props.onLoadOlder();
          }}
        >
          {list.loadingOlder ? "Loading older runs…" : "Load older runs"}
        </button>
      )}
    </nav>
  );
}

function RunFilters({ filter, workflows, onFilter }: Pick<RunListProps, "filter" | "workflows" | "onFilter">) {
  const [draft, setDraft] = useState(filter.workflow);
  // The URL (back, forward) can change the filter too.
  useEffect(() => setDraft(filter.workflow), [filter.workflow]);
  useEffect(() => {
    const workflow = draft.trim();
    if (workflow === filter.workflow) return;
    const timer = setTimeout(() => onFilter({ ...filter, workflow }), FILTER_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draft, filter, onFilter]);
  return (
    <form
      className="run-filters"
      aria-label="Filter executions"
      onSubmit={(event) => {
        event.preventDefault();
        onFilter({ ...filter, workflow: draft.trim() });
      }}
    >
      <label htmlFor="filter-workflow">Workflow</label>
      <input
        id="filter-workflow"
        type="search"
        list="known-workflows"
        placeholder="All workflows"
        autoComplete="off"
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
      />
      <datalist id="known-workflows">
        {workflows.map((workflow) => (
          <option key={workflow} value={workflow} />
        ))}
      </datalist>
      <label htmlFor="filter-status">Status</label>
      <select
        id="filter-status"
        value={filter.status}
        onChange={(event) => onFilter({ ...filter, status: parseStatus(event.target.value) })}
      >
        <option value="">All statuses</option>
        {STATUSES.map((status) => (
          <option key={status} value={status}>
            {status}
          </option>
        ))}
      </select>
    </form>
  );
}

function FindRun({ status, onFind }: { status: string; onFind: (id: string) => void }) {
  const [id, setId] = useState("");
  return (
    <form
      role="search"
      aria-label="Find an execution by id"
      className="find-run"
      onSubmit={(event) => {
        event.preventDefault();
        if (id.trim()) onFind(id.trim());
      }}
    >
      <label htmlFor="find-run">Execution id</label>
      <input
        id="find-run"
        type="search"
        autoComplete="off"
        spellCheck={false}
        value={id}
        onChange={(event) => setId(event.target.value)}
      />
      <button type="submit">Find</button>
      <p id="find-status" className="muted" role="status">
        {status}
      </p>
    </form>
  );
}

const MOVES: Record<string, (index: number, count: number) => number> = {
  ArrowDown: (index, count) => Math.min(index + 1, count - 1),
  ArrowUp: (index) => Math.max(index - 1, 0),
  PageDown: (index, count) => Math.min(index + 10, count - 1),
  PageUp: (index) => Math.max(index - 10, 0),
  Home: () => 0,
  End: (_, count) => count - 1,
};

/** Characters typed within this time form one type-ahead prefix. */
const TYPE_AHEAD_MS = 500;

/**
 * The runs as a single-select listbox (WAI-ARIA listbox pattern): one tab stop, arrows, Page Up/Down, Home and End
 * move the focus, typing moves it to the next run whose workflow starts with what was typed, Enter or Space
 * selects (selecting loads a trace, so it does not follow the focus), a click selects. Rows keep their DOM nodes
 * across refreshes (keyed by id), so focus and selection stay put.
 */
interface RunOptionsProps {
  runs: Execution[];
  selectedId: string | null;
  onSelect: (id: string) => void;
}

function RunOptions({ runs, selectedId, onSelect }: RunOptionsProps) {
  const [active, setActive] = useState<string | null>(null);
  const options = useRef(new Map<string, HTMLLIElement>());
  const typed = useRef({ prefix: "", at: 0 });
  const now = Date.now();
  const holds = (id: string | null) => id !== null && runs.some((run) => run.id === id);
  const focusable = holds(active) ? active : holds(selectedId) ? selectedId : (runs[0]?.id ?? null);

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const index = runs.findIndex((run) => run.id === focusable);
    if ((event.key === "Enter" || event.key === " ") && focusable !== null) {
      event.preventDefault();
      onSelect(focusable);
      return;
    }
    const focus = (run: Execution | undefined) => {
      if (!run) return;
      setActive(run.id);
      options.current.get(run.id)?.focus();
    };
    const move = MOVES[event.key];
    if (move && index >= 0) {
      event.preventDefault();
      focus(runs[move(index, runs.length)]);
      return;
    }
    if (event.key.length !== 1 || event.key === " " || event.ctrlKey || event.metaKey || event.altKey) return;
    const now = event.timeStamp;
    const prefix = (now - typed.current.at < TYPE_AHEAD_MS ? typed.current.prefix : "") + event.key.toLowerCase();
    typed.current = { prefix, at: now };
    // A new prefix starts after the focused run; a longer one may stay on it.
    const from = prefix.length === 1 ? index + 1 : Math.max(index, 0);
    const order = [...runs.slice(from), ...runs.slice(0, from)];
    const match = order.find((run) => run.workflow_id.toLowerCase().startsWith(prefix));
    if (match) {
      event.preventDefault();
      focus(match);
    }
  };

  return (
    <ul role="listbox" id="runs" aria-labelledby="runs-heading" className="run-options" onKeyDown={onKeyDown}>
      {runs.map((run) => {
        const status = run.status ?? "running";
        const errors = run.error_count ?? 0;
        return (
          <li
            key={run.id}
            ref={(el) => {
              if (el) options.current.set(run.id, el);
              else options.current.delete(run.id);
            }}
            role="option"
            id={optionId(run.id)}
            data-execution-id={run.id}
            aria-selected={run.id === selectedId ? "true" : "false"}
            tabIndex={run.id === focusable ? 0 : -1}
            onClick={() => {
              setActive(run.id);
              onSelect(run.id);
            }}
            onFocus={() => setActive(run.id)}
          >
            <span className="run-head">
              <span className="wf">{run.workflow_id}</span>
              <span className={`badge status-${status}`}>{status}</span>
            </span>
            <span className="meta">
              <time dateTime={run.started_at}>{formatTime(run.started_at)}</time>
              <code className="run-id">{shortId(run.id)}</code>
            </span>
            <span className="meta run-numbers">
              <span data-testid="run-duration">{runDuration(run, now) ?? "—"}</span>
              {" · "}
              <span data-testid="run-tokens">{formatCount(run.token_usage?.total, "token", "tokens")}</span>
              {" · "}
              <span data-testid="run-errors" className={errors > 0 ? "has-errors" : undefined}>
                {formatCount(errors, "error", "errors")}
              </span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}

function optionId(runId: string): string {
  return `run-${runId}`;
}

function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

export function RunFacts({ run }: { run: Execution }) {
  const usage = run.token_usage;
  const rows: [string, string][] = [
    ["Workflow", run.workflow_id],
    ["Execution", run.id],
    ["Status", run.status ?? "—"],
    ["Started", formatTime(run.started_at)],
    ["Finished", formatTime(run.finished_at)],
    ["Duration", runDuration(run, Date.now()) ?? "—"],
    ["Spans", String(run.span_count ?? 0)],
    ["Errors", String(run.error_count ?? 0)],
    ["Tokens", `${usage?.input ?? 0} in / ${usage?.output ?? 0} out`],
    ["Trace id", run.trace_id ?? "—"],
  ];
  return (
    <dl id="run-facts" className="facts">
      {rows.map(([label, value]) => [<dt key={`${label}-t`}>{label}</dt>, <dd key={`${label}-d`}>{value}</dd>])}
      {run.links && run.links.length > 0 && [
        <dt key="links-t">Open in</dt>,
        <dd key="links-d">
          <DashboardLinks links={run.links} />
        </dd>,
      ]}
    </dl>
  );
}

/** The run's trace in Jaeger, Tempo or Grafana, from the API's configured URL templates. */
export function DashboardLinks({ links }: { links: DashboardLink[] }) {
  return (
    <span className="dashboard-links">
      {links.map((link) => (
        <a key={link.name} href={link.url} target="_blank" rel="noreferrer" data-testid="dashboard-link">
          {link.name}
        </a>
      ))}
    </span>
  );
}
