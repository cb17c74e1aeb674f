// Types of @orcheo/trace-view: the <orcheo-trace-view> custom element, its events, the trace it shows, and its
// JSX typings for React 19. The element's behaviour is described in the package README.

/** A JSON value, as span and event attributes hold them. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Span, event and resource attributes: any JSON value per key. */
export type Attributes = Record<string, JsonValue>;

/** `stalled`: still open, but nothing has arrived for it for a while (its sender may be gone). */
export type ExecutionStatus = "running" | "completed" | "error" | "cancelled" | "stalled";

/** What a span did. The view reads any other string as `other`. */
export type SpanKind = "workflow" | "node" | "llm" | "tool" | "http" | "storage" | "other";

export type StatusCode = "UNSET" | "OK" | "ERROR";

/** OpenTelemetry's span kind: the part the span played in a call. */
export type OtelSpanKind = "internal" | "server" | "client" | "producer" | "consumer";

export interface TokenUsage {
  input?: number;
  output?: number;
  total?: number;
}

/** A link from an execution to an external dashboard (Jaeger, Tempo, Grafana). */
export interface DashboardLink {
  name: string;
  url: string;
}

/**
 * One workflow run with its trace summary. Fields the API always sends but a trace set by hand may leave out are
 * optional; times are RFC 3339 UTC.
 */
export interface Execution {
  id: string;
  workflow_id: string;
  status?: ExecutionStatus;
  thread_id?: string;
  started_at?: string;
  finished_at?: string;
  trace_id?: string;
  root_span_id?: string;
  token_usage?: TokenUsage;
  span_count?: number;
  error_count?: number;
  artifact_count?: number;
  links?: DashboardLink[];
}

export interface SpanStatus {
  code?: StatusCode;
  message?: string;
}

export interface SpanEvent {
  name: string;
  time: string;
  attributes?: Attributes;
}

export interface SpanLink {
  trace_id: string;
  span_id: string;
  attributes?: Attributes;
}

/** An artifact a span produced, downloadable through the API. */
export interface ArtifactRef {
  id: string;
  name: string;
  content_type: string;
  size_bytes: number;
  download_url: string;
}

/** The instrumentation library that made a span. */
export interface InstrumentationScope {
  name: string;
  version?: string;
  attributes?: Attributes;
}

/** What the sender's SDK dropped from a span before sending it. */
export interface DroppedCounts {
  attributes?: number;
  events?: number;
  links?: number;
}

export interface Span {
  span_id: string;
  parent_span_id?: string;
  name: string;
  kind?: SpanKind | (string & {});
  start_time: string;
  end_time?: string;
  duration_ms?: number;
  status?: SpanStatus;
  attributes?: Attributes;
  events?: SpanEvent[];
  links?: SpanLink[];
  token_usage?: TokenUsage;
  artifacts?: ArtifactRef[];
  otel_kind?: OtelSpanKind;
  resource?: Attributes;
  scope?: InstrumentationScope;
  dropped?: DroppedCounts;
}

export interface PageInfo {
  has_next_page: boolean;
  cursor?: string;
  total_spans?: number;
}

/** `GET /api/executions/{id}/trace`: an execution and its spans, parents before children. */
export interface TraceResponse {
  execution: Execution;
  spans?: Span[];
  page_info?: PageInfo;
}

export interface ListPageInfo {
  has_next_page: boolean;
  cursor?: string;
}

/** `GET /api/executions`: run history, newest first. */
export interface ExecutionPage {
  executions: Execution[];
  page_info: ListPageInfo;
}

/** A model's price in US dollars per million tokens; `cached_input` is for input read from the provider's cache. */
export interface ModelPrice {
  input: number;
  output: number;
  cached_input?: number;
}

/**
 * Price overrides by model name or prefix (`gpt-4o` also prices `gpt-4o-2024-08-06`), applied over the default
 * table; `null` removes an entry of the default table.
 */
export type PriceTable = Record<string, ModelPrice | null>;

/** What the `trace` property takes: a trace, its JSON text, or a promise of either. */
export type TraceInput = TraceResponse | string | PromiseLike<TraceResponse | string>;

/** `span-select`: the user selected a span (click, keyboard, next/previous match). */
export interface SpanSelectDetail {
  spanId: string;
}

/** `trace-load`: the whole trace is shown (after its last page). */
export interface TraceLoadDetail {
  executionId: string;
  spanCount: number;
}

/** `trace-error`: loading failed; `status` is the HTTP status, 0 when there was no HTTP answer. */
export interface TraceErrorDetail {
  status: number;
  detail: string;
}

/** `artifact-download`: an artifact was downloaded (after its bytes arrived). */
export interface ArtifactDownloadDetail {
  id: string;
}

/** `span-link`: the user followed a link to a span of another trace. */
export interface SpanLinkDetail {
  traceId: string;
  spanId: string;
}

/** The element's events. All bubble and are composed (they cross the shadow boundary). */
export interface OrcheoTraceViewEventMap extends HTMLElementEventMap {
  "span-select": CustomEvent<SpanSelectDetail>;
  "trace-load": CustomEvent<TraceLoadDetail>;
  "trace-error": CustomEvent<TraceErrorDetail>;
  "artifact-download": CustomEvent<ArtifactDownloadDetail>;
  "span-link": CustomEvent<SpanLinkDetail>;
}

/**
 * `<orcheo-trace-view>`: a workflow run's trace (span tree, details, summary). Importing the package defines it;
 * the view's wasm loads the first time an element is connected.
 */
export declare class OrcheoTraceView extends HTMLElement {
  static observedAttributes: string[];
  /** The `execution-id` attribute: the execution whose trace is fetched from `apiBase`; null shows a placeholder. */
  get executionId(): string | null;
  set executionId(value: string | null | undefined);
  /** The `api-base` attribute; `/api` when absent. */
  get apiBase(): string;
  set apiBase(value: string | null | undefined);
  /** The `live` attribute: follow the execution's updates over the API's WebSocket. */
  get live(): boolean;
  set live(value: boolean);
  /** Bearer token sent with every request; never an attribute. Setting another one reloads. */
  get token(): string | null;
  set token(value: string | null | undefined);
  /** A trace shown without a fetch; null goes back to `executionId`. Reads the last value set. */
  get trace(): TraceInput | null;
  set trace(value: TraceInput | null | undefined);
  /** The `selected-span-id` attribute: the selected span, also when the user selected it. */
  get selectedSpanId(): string | null;
  set selectedSpanId(value: string | null | undefined);
  /**
   * Price overrides (or their JSON text) that estimate the cost of model calls whose sender reports none; wins over
   * the `price-table` attribute. Null goes back to the attribute. Invalid overrides are logged and change nothing.
   */
  get prices(): PriceTable | string | null;
  set prices(value: PriceTable | string | null | undefined);
  connectedCallback(): void;
  disconnectedCallback(): void;
  attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void;
  addEventListener<K extends keyof OrcheoTraceViewEventMap>(
    type: K,
    listener: (this: OrcheoTraceView, event: OrcheoTraceViewEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof OrcheoTraceViewEventMap>(
    type: K,
    listener: (this: OrcheoTraceView, event: OrcheoTraceViewEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
}

declare global {
  interface HTMLElementTagNameMap {
    "orcheo-trace-view": OrcheoTraceView;
  }
}

/**
 * The element's own props in JSX. React 19 sets a prop as a property when the element has one (`token`, `trace`,
 * `live`, `selectedSpanId`, …), as an attribute otherwise (`execution-id`, `api-base`), and adds an `on<event>` prop
 * as a listener of `<event>`.
 */
export interface OrcheoTraceViewProps {
  "execution-id"?: string | null;
  "api-base"?: string | null;
  "selected-span-id"?: string | null;
  "price-table"?: string | null;
  executionId?: string | null;
  apiBase?: string | null;
  selectedSpanId?: string | null;
  live?: boolean;
  token?: string | null;
  trace?: TraceInput | null;
  prices?: PriceTable | string | null;
  "onspan-select"?: (event: OrcheoTraceViewEventMap["span-select"]) => void;
  "ontrace-load"?: (event: OrcheoTraceViewEventMap["trace-load"]) => void;
  "ontrace-error"?: (event: OrcheoTraceViewEventMap["trace-error"]) => void;
  "onartifact-download"?: (event: OrcheoTraceViewEventMap["artifact-download"]) => void;
  "onspan-link"?: (event: OrcheoTraceViewEventMap["span-link"]) => void;
}

// React 19 reads the props of custom elements from `React.JSX.IntrinsicElements`.
declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "orcheo-trace-view": DetailedHTMLProps<HTMLAttributes<OrcheoTraceView>, OrcheoTraceView> & OrcheoTraceViewProps;
    }
  }
}
