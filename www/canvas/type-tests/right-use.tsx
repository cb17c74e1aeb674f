// The same uses, typed right: `tsc` must accept this file (tests/tests/package.rs), so that the errors of
// wrong-use.tsx come from the mistakes, not from the setup.
import "@orcheo/trace-view";

import type { OrcheoTraceView, TraceResponse } from "@orcheo/trace-view";

const trace: TraceResponse = {
  execution: { id: "exec-1", workflow_id: "wf" },
  spans: [{ span_id: "00000000000000a1", name: "workflow wf", start_time: "2026-11-21T10:00:00.000000Z" }],
};

export function RightProps({ onSpan }: { onSpan: (id: string) => void }) {
  return (
    <>
      <orcheo-trace-view execution-id="exec-1" api-base="/api" />
      <orcheo-trace-view live token={null} selectedSpanId="00000000000000a1" />
      <orcheo-trace-view trace={trace} className="wide" style={{ height: "30rem" }} />
      <orcheo-trace-view trace={Promise.resolve(JSON.stringify(trace))} />
      <orcheo-trace-view onspan-select={(event) => onSpan(event.detail.spanId)} />
      <orcheo-trace-view ontrace-load={(event) => onSpan(String(event.detail.spanCount))} />
      <orcheo-trace-view prices={{ "gpt-4o": { input: 2.5, output: 10, cached_input: 1.25 }, o3: null }} />
      <orcheo-trace-view price-table='{"local-mini": {"input": 0.1, "output": 0.2}}' />
    </>
  );
}

export function rightEvents(view: OrcheoTraceView): number {
  view.addEventListener("trace-load", (event) => event.detail.executionId.toUpperCase());
  view.addEventListener("span-link", (event) => event.detail.traceId);
  view.addEventListener("click", (event) => event.clientX);
  const found: OrcheoTraceView | null = document.querySelector("orcheo-trace-view");
  if (found) found.live = true;
  view.token = "secret";
  view.apiBase = null;
  view.prices = { "claude-sonnet-4": { input: 3, output: 15 } };
  view.prices = null;
  return view.apiBase.length;
}
