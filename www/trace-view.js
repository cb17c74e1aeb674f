// <orcheo-trace-view>: the trace viewer as a custom element. The view itself is a wasm module (./pkg/), loaded once
// per page on first use; this file only adapts the element's attributes, properties and lifecycle to it. It is
// served as is (a module script next to pkg/) and is the entry of the npm package @orcheo/trace-view, whose
// index.d.ts types everything below.
//
//   <orcheo-trace-view execution-id="…" api-base="/api" live selected-span-id="…"></orcheo-trace-view>
//   el.token = "…";            // bearer token for the API (never an attribute)
//   el.trace = traceResponse;  // show a trace object (or JSON text, or a promise of either) directly, no fetch
//   el.selectedSpanId = "…";   // reflected as selected-span-id, also when the user selects a span (deep links)
//   el.live = true;            // follow the execution's live updates (the `live` attribute)
//   el.prices = {"gpt-4o": {input: 2.5, output: 10, cached_input: 1.25}};  // price overrides, USD per 1M tokens
//                              // (also the `price-table` attribute as JSON text; the property wins)
//   events (bubbling, composed): span-select {spanId}, trace-load {executionId, spanCount},
//   trace-error {status, detail}, artifact-download {id}, span-link {traceId, spanId}

const TAG = "orcheo-trace-view";

// Host rules live here rather than in the wasm's stylesheet so that the element has its size before the wasm loads.
// They go in as one constructed sheet that every shadow root adopts: a Content-Security-Policy without
// 'unsafe-inline' (the trace API's, docs/api.md) refuses a <style> element, not the CSSOM.
const SHADOW_CSS = `
:host { display: block; height: 100%; text-align: start; }
:host([hidden]) { display: none; }
.root { height: 100%; }
.load-error { margin: 0; padding: 1rem; font: inherit; color: inherit; }
`;
const SHADOW_SHEET = new CSSStyleSheet();
SHADOW_SHEET.replaceSync(SHADOW_CSS);

let wasm = null;

/** Loads and initializes the wasm once per page; a failed load may be retried by the next element that connects. */
function loadWasm() {
  if (!wasm) {
    // A literal relative path: browsers resolve it against this module, and bundlers follow it into a chunk of
    // its own. The glue then finds the wasm next to itself (`new URL("trace_view_bg.wasm", import.meta.url)`),
    // which bundlers rewrite to the asset they emit.
    wasm = import("./pkg/trace_view.js").then(async (glue) => {
      await glue.default();
      return glue;
    });
    wasm.catch(() => {
      wasm = null;
    });
  }
  return wasm;
}

export class OrcheoTraceView extends HTMLElement {
  static observedAttributes = ["execution-id", "api-base", "live", "selected-span-id", "price-table"];

  #handle = null;
  #root = null;
  #token = null;
  #trace = null;
  #selectedSpanId = null;
  // Price overrides set as a property (an object or JSON text); null leaves the `price-table` attribute in force.
  #prices = null;
  // What the view shows: "execution" (execution-id, possibly none) or "trace" (the trace property); last set wins.
  #source = "execution";
  #reflecting = false;
  // Why a pending trace failed, kept for a view mounted later.
  #failure = null;
  // Bumped for every trace set, so that a promise that settles late does not replace a newer trace.
  #traceGeneration = 0;

  constructor() {
    super();
    const shadow = this.attachShadow({ mode: "open" });
    shadow.adoptedStyleSheets = [SHADOW_SHEET];
    // Reflect the user's selection so that the host can put it in its URL (and restore it from there).
    this.addEventListener("span-select", (event) => {
      if (this.#root && event.composedPath().includes(this.#root)) {
        this.#reflecting = true;
        this.setAttribute("selected-span-id", event.detail.spanId);
        this.#reflecting = false;
      }
    });
  }

  connectedCallback() {
    // Properties set on the element before this class upgraded it are own properties that hide the accessors.
    for (const name of ["executionId", "apiBase", "token", "trace", "selectedSpanId", "live", "prices"]) {
      if (Object.hasOwn(this, name)) {
        const value = this[name];
        delete this[name];
        this[name] = value;
      }
    }
    if (this.#handle) return; // moved within the document: still mounted
    loadWasm().then(
      (glue) => {
        if (this.isConnected && !this.#handle) this.#mount(glue);
      },
      (error) => {
        if (this.isConnected) this.#showLoadFailure(error);
      },
    );
  }

  disconnectedCallback() {
    // Deferred so that moving the element (disconnect then connect in one task) keeps the running view.
    queueMicrotask(() => {
      if (!this.isConnected) this.#unmount();
    });
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (name === "live") {
      this.#handle?.set_live(newValue !== null);
      return;
    }
    if (name === "selected-span-id") {
      if (!this.#reflecting) this.selectedSpanId = newValue;
      return;
    }
    if (name === "price-table") {
      if (this.#prices === null) this.#applyPrices();
      return;
    }
    if (name === "execution-id") this.#source = "execution";
    else if (this.#source !== "execution") return; // a new api-base does not replace a trace set directly
    this.#handle?.set_execution(this.getAttribute("execution-id"), this.getAttribute("api-base"));
  }

  get executionId() {
    return this.getAttribute("execution-id");
  }

  set executionId(value) {
    this.#reflect("execution-id", value);
  }

  get apiBase() {
    return this.getAttribute("api-base") ?? "/api";
  }

  set apiBase(value) {
    this.#reflect("api-base", value);
  }

  get live() {
    return this.hasAttribute("live");
  }

  set live(value) {
    this.toggleAttribute("live", Boolean(value));
  }

  get token() {
    return this.#token;
  }

  set token(value) {
    this.#token = value == null || value === "" ? null : String(value);
    this.#handle?.set_token(this.#token);
  }

  /** The last trace set (an object, or JSON text); null when the view follows execution-id. */
  get trace() {
    return this.#trace;
  }

  set trace(value) {
    this.#trace = value ?? null;
    this.#failure = null;
    const generation = ++this.#traceGeneration;
    if (this.#trace !== null && typeof this.#trace.then === "function") {
      // A trace still on its way: show loading, then the trace (or the failure) once it settles.
      const pending = this.#trace;
      this.#source = "trace";
      this.#handle?.set_loading();
      pending.then(
        (trace) => {
          if (generation === this.#traceGeneration) this.trace = trace;
        },
        (error) => {
          if (generation !== this.#traceGeneration) return;
          this.#trace = null;
          this.#failure = `could not get the trace: ${error}`;
          this.#handle?.set_error(this.#failure);
        },
      );
      return;
    }
    if (this.#trace === null) {
      this.#source = "execution";
      this.#handle?.set_execution(this.getAttribute("execution-id"), this.getAttribute("api-base"));
    } else {
      this.#source = "trace";
      if (this.#handle) this.#applyTrace();
    }
  }

  /** The price overrides set as a property; null when the `price-table` attribute (or the default table) applies. */
  get prices() {
    return this.#prices;
  }

  set prices(value) {
    this.#prices = value ?? null;
    this.#applyPrices();
  }

  get selectedSpanId() {
    return this.#handle ? (this.#handle.selected_span() ?? null) : this.#selectedSpanId;
  }

  set selectedSpanId(value) {
    this.#selectedSpanId = value == null || value === "" ? null : String(value);
    this.#handle?.set_selected_span(this.#selectedSpanId);
    if (this.getAttribute("selected-span-id") !== this.#selectedSpanId) {
      this.#reflecting = true;
      this.#reflect("selected-span-id", this.#selectedSpanId);
      this.#reflecting = false;
    }
  }

  #reflect(name, value) {
    if (value == null) this.removeAttribute(name);
    else this.setAttribute(name, String(value));
  }

  #mount(glue) {
    this.#clearRoot();
    // Dioxus needs an element of its own to render into; the shadow root itself will not do.
    this.#root = document.createElement("div");
    this.#root.className = "root";
    this.shadowRoot.append(this.#root);
    const executionId = this.#source === "execution" ? this.getAttribute("execution-id") : null;
    let handle;
    try {
      handle = glue.mount(this.#root, executionId, this.getAttribute("api-base"));
    } catch (error) {
      // The view did not start (the shadow root refused its stylesheet): say so rather than show it unstyled.
      this.#showLoadFailure(error);
      return;
    }
    this.#handle = handle;
    // Values set before the wasm was ready.
    if (this.#token !== null) handle.set_token(this.#token);
    const selected = this.#selectedSpanId ?? this.getAttribute("selected-span-id");
    if (selected !== null) handle.set_selected_span(selected);
    if (this.hasAttribute("live")) handle.set_live(true);
    if (this.#prices !== null || this.hasAttribute("price-table")) this.#applyPrices();
    if (this.#source === "trace") {
      if (this.#failure !== null) handle.set_error(this.#failure);
      else if (this.#trace !== null && typeof this.#trace.then === "function") handle.set_loading();
      else this.#applyTrace();
    }
  }

  #unmount() {
    const handle = this.#handle;
    if (!handle) return;
    this.#selectedSpanId = handle.selected_span() ?? null;
    this.#handle = null;
    handle.unmount();
    handle.free();
    this.#clearRoot();
  }

  #clearRoot() {
    // Dioxus leaves its listeners on the old root; dropping the element lets them go.
    this.#root?.remove();
    this.#root = null;
  }

  /** The default price table with the property's overrides, else the attribute's. */
  #applyPrices() {
    if (!this.#handle) return;
    let overrides = this.#prices;
    try {
      if (overrides === null) overrides = this.getAttribute("price-table");
      else if (typeof overrides !== "string") overrides = JSON.stringify(overrides);
      this.#handle.set_price_table(overrides);
    } catch (error) {
      // The view keeps the table it had; a price table is the host's configuration, not a trace that failed.
      console.error(`<${TAG}>: ${error.message ?? error}`);
    }
  }

  #applyTrace() {
    let json;
    try {
      json = typeof this.#trace === "string" ? this.#trace : JSON.stringify(this.#trace);
    } catch (error) {
      this.#emitError(`invalid trace: ${error}`);
      return;
    }
    try {
      this.#handle.set_trace_json(json);
    } catch {
      // The view shows the parse error and sends trace-error itself.
    }
  }

  #showLoadFailure(error) {
    this.#clearRoot();
    this.#root = document.createElement("p");
    this.#root.className = "root load-error";
    this.#root.setAttribute("role", "alert");
    this.#root.textContent = "The trace viewer could not be loaded.";
    this.shadowRoot.append(this.#root);
    this.#emitError(`could not load the trace viewer: ${error}`);
  }

  #emitError(detail) {
    this.dispatchEvent(new CustomEvent("trace-error", { bubbles: true, composed: true, detail: { status: 0, detail } }));
  }
}

if (!customElements.get(TAG)) customElements.define(TAG, OrcheoTraceView);
