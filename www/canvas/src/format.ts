// How the host writes times, durations and counts.
import type { Execution } from "@orcheo/trace-view";

export function formatTime(value: string | undefined): string {
  return value ? new Date(value).toLocaleString() : "—";
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** From start to finish, or to `now` for a run still open; null without a start. */
export function runDuration(run: Execution, now: number): string | null {
  if (!run.started_at) return null;
  const started = Date.parse(run.started_at);
  if (run.finished_at) return formatDuration(Date.parse(run.finished_at) - started);
  return `${formatDuration(Math.max(0, now - started))} so far`;
}

export function formatCount(count: number | undefined, one: string, many: string): string {
  const n = count ?? 0;
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
