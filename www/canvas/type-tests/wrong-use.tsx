// Uses of <orcheo-trace-view> that its types must refuse. Every line marked `error TSxxxx` must fail `tsc` with that
// code, and no other line may (tests/tests/package.rs checks both).
import "@orcheo/trace-view";

import type { OrcheoTraceView } from "@orcheo/trace-view";

export function WrongProps() {
  return (
    <>
      <orcheo-trace-view execution-id={42} /> {/* error TS2322 */}
      <orcheo-trace-view live="yes" /> {/* error TS2322 */}
      <orcheo-trace-view token={1234} /> {/* error TS2322 */}
      <orcheo-trace-view trace={{ spans: [] }} /> {/* error TS2322 */}
      <orcheo-trace-view onspan-select={(event) => event.detail.spanID} /> {/* error TS2551 */}
      <orcheo-trace-view prices={{ "gpt-4o": { input: "2.5", output: 10 } }} /> {/* error TS2322 */}
    </>
  );
}

export function wrongEvents(view: OrcheoTraceView) {
  view.addEventListener("trace-load", (event) => event.detail.spanCount.toUpperCase()); // error TS2339
  view.addEventListener("trace-error", (event) => {
    const status: string = event.detail.status; // error TS2322
    return status;
  });
  const found = document.querySelector("orcheo-trace-view");
  if (found) found.live = "true"; // error TS2322
  view.selectedSpanId = 7; // error TS2322
  view.prices = { "gpt-4o": { input: 2.5 } }; // error TS2741
}
