// A stand-in for the Canvas: the run list, and the "Workflow | Trace" tabs of the selected run.
const api = "/api";
const runsList = document.getElementById("runs");
const runsStatus = document.getElementById("runs-status");
const title = document.getElementById("run-title");
const facts = document.getElementById("run-facts");
const traceView = document.getElementById("trace-view");
const tabs = [...document.querySelectorAll('[role="tab"]')];

function formatTime(value) {
  return value ? new Date(value).toLocaleString() : "—";
}

function selectTab(tab, focus = false) {
  for (const t of tabs) {
    const selected = t === tab;
    t.setAttribute("aria-selected", String(selected));
    t.tabIndex = selected ? 0 : -1;
    document.getElementById(t.getAttribute("aria-controls")).hidden = !selected;
  }
  if (focus) tab.focus();
}

for (const tab of tabs) {
  tab.addEventListener("click", () => selectTab(tab));
  // Arrow keys move between tabs (WAI-ARIA tabs pattern, automatic activation).
  tab.addEventListener("keydown", (event) => {
    const i = tabs.indexOf(tab);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    selectTab(tabs[(next + tabs.length) % tabs.length], true);
  });
}

function showFacts(execution) {
  const rows = [
    ["Workflow", execution.workflow_id],
    ["Execution", execution.id],
    ["Status", execution.status],
    ["Started", formatTime(execution.started_at)],
    ["Finished", formatTime(execution.finished_at)],
    ["Spans", execution.span_count],
    ["Errors", execution.error_count],
    ["Tokens", `${execution.token_usage.input} in / ${execution.token_usage.output} out`],
    ["Trace id", execution.trace_id ?? "—"],
  ];
  facts.replaceChildren(
    ...rows.flatMap(([label, value]) => {
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.textContent = String(value);
      return [dt, dd];
    }),
  );
}

function select(execution, button) {
  for (const b of runsList.querySelectorAll("button")) b.removeAttribute("aria-current");
  button.setAttribute("aria-current", "true");
  title.textContent = `${execution.workflow_id} — ${execution.status}`;
  showFacts(execution);
  traceView.setAttribute("execution-id", execution.id);
}

async function loadRuns() {
  try {
    const response = await fetch(`${api}/executions?limit=100`);
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail ?? response.statusText);
    runsStatus.textContent = body.executions.length ? `${body.executions.length} executions` : "No executions yet";
    runsList.replaceChildren(
      ...body.executions.map((execution) => {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.dataset.executionId = execution.id;
        const wf = document.createElement("span");
        wf.className = "wf";
        wf.textContent = execution.workflow_id;
        const meta = document.createElement("span");
        meta.className = `meta status-${execution.status}`;
        meta.textContent = `${execution.status} · ${execution.span_count} spans · ${formatTime(execution.started_at)}`;
        button.append(wf, meta);
        button.addEventListener("click", () => select(execution, button));
        li.append(button);
        return li;
      }),
    );
  } catch (error) {
    runsStatus.textContent = `Could not load executions: ${error.message}`;
  }
}

traceView.addEventListener("trace-error", (event) => {
  console.warn("trace failed to load", event.detail);
});

loadRuns();
