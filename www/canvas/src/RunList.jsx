function formatTime(value) {
  return value ? new Date(value).toLocaleString() : "—";
}

export function RunList({ runs, error, selectedId, onSelect }) {
  let status;
  if (error) status = `Could not load executions: ${error}`;
  else if (runs === null) status = "Loading executions…";
  else status = runs.length ? `${runs.length} executions` : "No executions yet";
  return (
    <nav className="runs" aria-labelledby="runs-heading">
      <h2 id="runs-heading">Executions</h2>
      <p id="runs-status" className="muted" role="status">
        {status}
      </p>
      <ul id="runs">
        {(runs ?? []).map((run) => (
          <li key={run.id}>
            <button
              type="button"
              data-execution-id={run.id}
              aria-current={run.id === selectedId ? "true" : undefined}
              onClick={() => onSelect(run.id)}
            >
              <span className="wf">{run.workflow_id}</span>
              <span className={`meta status-${run.status}`}>
                {run.status} · {run.span_count} spans · {formatTime(run.started_at)}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function RunFacts({ run }) {
  const rows = [
    ["Workflow", run.workflow_id],
    ["Execution", run.id],
    ["Status", run.status],
    ["Started", formatTime(run.started_at)],
    ["Finished", formatTime(run.finished_at)],
    ["Spans", run.span_count],
    ["Errors", run.error_count],
    ["Tokens", `${run.token_usage.input} in / ${run.token_usage.output} out`],
    ["Trace id", run.trace_id ?? "—"],
  ];
  return (
    <dl id="run-facts" className="facts">
      {rows.map(([label, value]) => [<dt key={`${label}-t`}>{label}</dt>, <dd key={`${label}-d`}>{String(value)}</dd>])}
      {run.links?.length > 0 && [
        <dt key="links-t">Open in</dt>,
        <dd key="links-d">
          <DashboardLinks links={run.links} />
        </dd>,
      ]}
    </dl>
  );
}

/** The run's trace in Jaeger, Tempo or Grafana, from the API's configured URL templates. */
export function DashboardLinks({ links }) {
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
