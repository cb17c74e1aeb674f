// The story page: each story is a live <orcheo-trace-view> with its inputs shown beside it. The synthetic traces
// are exported so that tests and benchmarks can build the same ones.

const BASE_TIME = Date.UTC(2026, 10, 21, 10, 0, 0);

function hex(n, width) {
  return n.toString(16).padStart(width, "0").slice(-width);
}

function iso(ms) {
  return new Date(ms).toISOString().replace("Z", "000Z");
}

/** A small deterministic generator (mulberry32), so that every story looks the same on every load. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function span(id, parent, name, kind, start, ms, extra = {}) {
  return {
    span_id: hex(id, 16),
    ...(parent === null ? {} : { parent_span_id: hex(parent, 16) }),
    name,
    kind,
    start_time: iso(start),
    end_time: iso(start + ms),
    duration_ms: ms,
    status: { code: "OK" },
    attributes: {},
    events: [],
    links: [],
    artifacts: [],
    ...extra,
  };
}

function llmAttributes(model, input, output, prompt, response) {
  return {
    "orcheo.span.kind": "llm",
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": model,
    "gen_ai.usage.input_tokens": input,
    "gen_ai.usage.output_tokens": output,
    "orcheo.prompt.preview": prompt,
    "orcheo.response.preview": response,
  };
}

function trace(executionId, workflowId, spans, status = "completed") {
  const root = spans[0];
  const errors = spans.filter((s) => s.status.code === "ERROR").length;
  return {
    execution: {
      id: executionId,
      workflow_id: workflowId,
      status,
      started_at: root?.start_time,
      finished_at: status === "running" ? undefined : root?.end_time,
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      root_span_id: root?.span_id,
      token_usage: { input: 0, output: 0, total: 0 },
      span_count: spans.length,
      error_count: errors,
      artifact_count: spans.reduce((n, s) => n + s.artifacts.length, 0),
      links: [],
    },
    spans,
    page_info: { has_next_page: false, total_spans: spans.length },
  };
}

/** A run of `count` spans: a workflow root with nodes, each calling a model, a tool, HTTP and storage. */
export function syntheticTrace(count, seed = 7) {
  const next = random(seed);
  const kinds = [
    ["llm", "chat gpt-4o-mini"],
    ["tool", "tool search_docs"],
    ["http", "GET /v1/customers"],
    ["storage", "storage put report"],
  ];
  const spans = [span(1, null, "workflow synthetic", "workflow", BASE_TIME, count * 2)];
  let id = 2;
  let clock = BASE_TIME;
  while (spans.length < count) {
    const node = id++;
    const nodeStart = clock;
    const nodeName = `node step_${node}`;
    const children = [];
    for (const [kind, name] of kinds) {
      if (spans.length + children.length + 1 >= count) break;
      const ms = Math.round(next() * 40) + 1;
      const failed = next() < 0.02;
      const attributes =
        kind === "llm"
          ? llmAttributes("gpt-4o-mini", 100 + Math.round(next() * 900), 20 + Math.round(next() * 300), "Summarize the ticket.", "Done.")
          : { "orcheo.span.kind": kind, "orcheo.node.id": nodeName };
      children.push(
        span(id++, node, name, kind, clock, ms, {
          attributes,
          status: failed ? { code: "ERROR", message: "upstream failed" } : { code: "OK" },
        }),
      );
      clock += ms;
    }
    spans.push(span(node, 1, nodeName, "node", nodeStart, Math.max(1, clock - nodeStart)), ...children);
    clock += 1;
  }
  spans[0].end_time = iso(clock);
  spans[0].duration_ms = clock - BASE_TIME;
  return trace(`synthetic-${count}`, "synthetic", spans);
}

/** Fetch, summarize, publish: one model call. */
export function smallRun() {
  const t = BASE_TIME;
  return trace("story-small", "summarize-report", [
    span(1, null, "workflow summarize-report", "workflow", t, 420),
    span(2, 1, "node fetch_report", "node", t + 5, 60),
    span(3, 1, "node summarize", "node", t + 70, 300),
    span(4, 3, "chat local-mini", "llm", t + 80, 280, {
      attributes: llmAttributes("local-mini", 412, 96, "Summarize the quarterly report: revenue grew in every region.", "Revenue grew everywhere; costs were flat."),
    }),
    span(5, 1, "node publish", "node", t + 375, 40, {
      artifacts: [{ id: "story-artifact", name: "summary.md", content_type: "text/markdown", size_bytes: 2048, download_url: "/api/artifacts/story-artifact/download" }],
    }),
  ]);
}

/** An agent loop: many model and tool calls, long prompts. */
export function llmRun() {
  const t = BASE_TIME;
  const long = "You are a research assistant. ".repeat(40) + "Answer with sources.";
  const spans = [span(1, null, "workflow research-agent", "workflow", t, 9000)];
  let id = 2;
  for (let turn = 0; turn < 6; turn++) {
    const node = id++;
    const start = t + turn * 1400;
    spans.push(span(node, 1, `node agent_turn_${turn + 1}`, "node", start, 1300));
    const model = turn % 2 ? "gpt-4o" : "claude-sonnet";
    spans.push(
      span(id++, node, `chat ${model}`, "llm", start + 10, 900, {
        attributes: llmAttributes(model, 1800 + turn * 250, 320 + turn * 40, long, `Turn ${turn + 1}: found ${turn + 2} sources.`),
      }),
    );
    spans.push(span(id++, node, "tool web_search", "tool", start + 920, 300, { attributes: { "orcheo.span.kind": "tool", query: `topic ${turn}` } }));
  }
  return trace("story-llm", "research-agent", spans);
}

/** One model call as a conversation (GenAI messages, as the OpenTelemetry GenAI conventions send them): a long
 * system prompt, a user question with HTML in it (shown as text), the model's tool call and the tool's result, a
 * JSON part, and a Markdown answer with a code block and links. */
export function conversationRun() {
  const t = BASE_TIME;
  const system =
    "You are the support assistant for **Orcheo**, a workflow engine. " +
    "Answer from the documentation only, cite the page you used, and keep answers short. ".repeat(6) +
    "Never invent configuration keys.";
  const input = [
    { role: "system", parts: [{ type: "text", content: system }] },
    {
      role: "user",
      parts: [
        {
          type: "text",
          content:
            "How do I retry a failed node? The log shows <script>alert('x')</script> and " +
            '<img src=x onerror="alert(1)"> after the error.',
        },
      ],
    },
    {
      role: "assistant",
      parts: [
        {
          type: "tool_call",
          id: "call_7",
          name: "search_docs",
          arguments: { query: "retry failed node", limit: 3, filters: { section: "guides", versions: ["0.46", "0.47"] } },
        },
      ],
    },
    {
      role: "tool",
      parts: [
        {
          type: "tool_call_response",
          id: "call_7",
          response: { results: [{ title: "Retries", url: "https://docs.example.com/retries" }] },
        },
      ],
    },
    {
      role: "user",
      parts: [
        { type: "text", content: "Here is the node's configuration:" },
        { type: "node_config", node: "push_to_crm", retry: { attempts: 1, backoff_ms: 0 } },
      ],
    },
  ];
  const answer =
    "Set `retry` on the node:\n\n```yaml\nretry:\n  attempts: 3\n  backoff_ms: 500\n```\n\n" +
    "See [the retry guide](https://docs.example.com/retries); [this link](javascript:alert(1)) is not followed.";
  const output = [{ role: "assistant", parts: [{ type: "text", content: answer }], finish_reason: "stop" }];
  return trace("story-conversation", "support-agent", [
    span(1, null, "workflow support-agent", "workflow", t, 2400),
    span(2, 1, "node answer", "node", t + 5, 2390),
    span(3, 2, "chat gpt-4o", "llm", t + 10, 2300, {
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 412,
        "gen_ai.usage.output_tokens": 64,
        "gen_ai.input.messages": JSON.stringify(input),
        "gen_ai.output.messages": JSON.stringify(output),
      },
    }),
  ]);
}

/** A run that failed in its second node, with an exception and its stack trace. */
export function failedRun() {
  const t = BASE_TIME;
  const error = { code: "ERROR", message: "CRM rejected the batch: 429 Too Many Requests" };
  return trace(
    "story-failed",
    "sync-crm",
    [
      span(1, null, "workflow sync-crm", "workflow", t, 200, { status: error }),
      span(2, 1, "node load_contacts", "node", t + 2, 40),
      span(3, 1, "node push_to_crm", "node", t + 45, 150, {
        status: error,
        events: [
          {
            name: "exception",
            time: iso(t + 190),
            attributes: {
              "exception.type": "CrmError",
              "exception.message": error.message,
              "exception.stacktrace": "CrmError: 429 Too Many Requests\n    at push_batch (crm.rs:88)\n    at run_node (engine.rs:142)",
            },
          },
        ],
      }),
      span(4, 3, "POST /crm/batch", "http", t + 50, 120, { status: error, attributes: { "http.request.method": "POST", "http.response.status_code": 429 } }),
    ],
    "error",
  );
}

/** Drafts written in parallel, one of them failing once and retried, then published: the critical path goes
 * through the retry, not the parallel draft that finished earlier. */
export function fanOutRun() {
  const t = BASE_TIME;
  const llm = (prompt) => ({ attributes: llmAttributes("local-mini", 300, 120, prompt, "A draft.") });
  const failed = { code: "ERROR", message: "model timed out" };
  return trace("story-fanout", "blog-post-chain", [
    span(1, null, "workflow blog-post-chain", "workflow", t, 1300),
    span(2, 1, "node outline", "node", t + 5, 200),
    span(3, 2, "chat local-mini", "llm", t + 10, 190, llm("Outline a post on tracing.")),
    span(4, 1, "node draft_intro", "node", t + 210, 490),
    span(5, 4, "chat local-mini", "llm", t + 215, 475, llm("Draft the introduction.")),
    span(6, 1, "node draft_body", "node", t + 210, 210, { status: failed, attributes: { "orcheo.node.attempt": 1 } }),
    span(7, 6, "chat local-mini", "llm", t + 215, 200, { ...llm("Draft the body."), status: failed }),
    span(8, 1, "node draft_body", "node", t + 425, 575, { attributes: { "orcheo.node.attempt": 2 } }),
    span(9, 8, "chat local-mini", "llm", t + 430, 560, llm("Draft the body.")),
    span(10, 1, "node publish", "node", t + 1010, 230),
    span(11, 10, "storage put post", "storage", t + 1020, 210, { attributes: { "orcheo.span.kind": "storage" } }),
  ]);
}

/** A retrieval-augmented answer whose node spans carry their input and output the way OpenInference senders (and
 * our instrumentation) record them: `input.value` / `output.value`, JSON by mime type, a secret already redacted;
 * the last node's are plain text. */
export function nodeIoRun() {
  const t = BASE_TIME;
  const json = (input, output) => ({
    "input.value": JSON.stringify(input),
    "input.mime_type": "application/json",
    "output.value": JSON.stringify(output),
    "output.mime_type": "application/json",
  });
  const before = {
    question: "Why did Q3 revenue grow?",
    settings: { api_key: "[REDACTED:secret_key]", top_k: 3 },
    results: { plan: "search the Q3 report" },
    status: "planned",
  };
  const after = {
    question: "Why did Q3 revenue grow?",
    settings: { api_key: "[REDACTED:secret_key]", top_k: 5 },
    results: { plan: "search the Q3 report", retrieve: ["q3-report.pdf#p4", "q3-report.pdf#p9"] },
    status: "retrieved",
    scores: [0.91, 0.84],
  };
  return trace("story-nodeio", "answer-question", [
    span(1, null, "workflow answer-question", "workflow", t, 900),
    span(2, 1, "node retrieve", "node", t + 10, 300, {
      attributes: { "orcheo.span.kind": "node", "orcheo.node.id": "retrieve", ...json(before, after) },
    }),
    span(3, 2, "GET /search", "http", t + 20, 250, { attributes: { "http.request.method": "GET" } }),
    span(4, 1, "node answer", "node", t + 320, 560, {
      attributes: {
        "orcheo.span.kind": "node",
        "orcheo.node.id": "answer",
        "input.value": "Why did Q3 revenue grow?",
        "input.mime_type": "text/plain",
        "output.value": "Revenue grew in every region while costs stayed flat.",
        "output.mime_type": "text/plain",
      },
    }),
    span(5, 4, "chat local-mini", "llm", t + 330, 540, {
      attributes: llmAttributes("local-mini", 420, 60, "Answer from the sources.", "Revenue grew in every region."),
    }),
  ]);
}

/** Model calls whose cost comes from the sender, from the price table, or from neither. */
export function costRun() {
  const t = BASE_TIME;
  const node = (id, name, start, ms) => span(id, 1, `node ${name}`, "node", start, ms);
  const chat = (id, parent, model, start, ms, attributes) => span(id, parent, `chat ${model}`, "llm", start, ms, { attributes });
  return trace("story-cost", "support-triage", [
    span(1, null, "workflow support-triage", "workflow", t, 4200),
    node(2, "classify", t + 5, 600),
    chat(3, 2, "gpt-4o-mini", t + 10, 580, {
      ...llmAttributes("gpt-4o-mini", 1200, 80, "Classify the ticket.", "billing"),
      "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
      "gen_ai.usage.cache_read.input_tokens": 1024,
    }),
    node(4, "draft_reply", t + 620, 1800),
    // An OpenInference sender that prices its own calls.
    chat(5, 4, "claude-sonnet-4", t + 630, 1750, {
      "openinference.span.kind": "LLM",
      "llm.model_name": "claude-sonnet-4-20250514",
      "llm.provider": "anthropic",
      "llm.token_count.prompt": 2000,
      "llm.token_count.completion": 420,
      "llm.cost.prompt": 0.006,
      "llm.cost.completion": 0.0063,
      "llm.cost.total": 0.0123,
    }),
    node(6, "review", t + 2430, 1000),
    chat(7, 6, "gpt-4.1", t + 2440, 980, llmAttributes("gpt-4.1", 3000, 500, "Review the reply.", "Approved.")),
    node(8, "translate", t + 3440, 700),
    // The span named short, the model in full: at 1,024 px the full name would not fit even without badges.
    span(9, 8, "chat llama-3.1-70b", "llm", t + 3450, 680, {
      attributes: llmAttributes("llama-3.1-70b-instruct", 800, 300, "Translate to German.", "Sehr geehrte …"),
    }),
    span(10, 1, "tool send_email", "tool", t + 4150, 40, { attributes: { "orcheo.span.kind": "tool" } }),
  ]);
}

/** Two runs of one workflow for the comparison story: in B the retrieval fails once and is retried, the answer
 * changes (prompt, response, tokens), a citation step is added and the cache lookup is gone. */
export function comparedRuns() {
  const t = BASE_TIME;
  const node = (id, parent, nodeId, start, ms, attempt = 1, extra = {}) =>
    span(id, parent, `node ${nodeId}`, "node", start, ms, {
      ...extra,
      attributes: { "orcheo.span.kind": "node", "orcheo.node.id": nodeId, "orcheo.node.attempt": attempt, ...extra.attributes },
    });
  const chat = (id, parent, start, ms, input, output, prompt, response) =>
    span(id, parent, "chat gpt-4o-mini", "llm", start, ms, {
      attributes: { ...llmAttributes("gpt-4o-mini", input, output, prompt, response) },
    });
  const io = (input, output) => ({ attributes: { "input.value": input, "output.value": output } });
  const plan = (id, parent) => node(id, parent, "plan", t + 5, 10, 1, io("Why did Q3 revenue grow?", "search, then answer"));
  const format = (id, parent, start) => node(id, parent, "format", start, 30, 1, io("answer", "markdown"));
  const a = trace("story-compare-a", "answer-question", [
    span(1, null, "workflow answer-question", "workflow", t, 1300),
    plan(2, 1),
    node(3, 1, "cache_lookup", t + 20, 20, 1, io("Why did Q3 revenue grow?", "miss")),
    node(4, 1, "retrieve", t + 45, 300, 1, io("Why did Q3 revenue grow?", "q3-report.pdf#p4")),
    node(5, 1, "answer", t + 350, 800, 1, io("Why did Q3 revenue grow?", "Revenue grew in every region.")),
    chat(6, 5, t + 360, 780, 420, 60, "Answer from the sources: q3-report.pdf#p4", "Revenue grew in every region."),
    format(7, 1, t + 1160),
  ]);
  const failed = { status: { code: "ERROR", message: "search timed out" } };
  const b = trace("story-compare-b", "answer-question", [
    span(101, null, "workflow answer-question", "workflow", t, 2200),
    plan(102, 101),
    node(103, 101, "retrieve", t + 20, 500, 1, { ...failed, ...io("Why did Q3 revenue grow?", "") }),
    node(104, 101, "retrieve", t + 525, 320, 2, io("Why did Q3 revenue grow?", "q3-report.pdf#p4")),
    node(105, 101, "answer", t + 850, 1000, 1, io("Why did Q3 revenue grow?", "Revenue grew in every region, led by Europe.")),
    chat(106, 105, t + 860, 980, 510, 95, "Answer from the sources and cite them: q3-report.pdf#p4", "Revenue grew in every region, led by Europe."),
    node(107, 101, "cite", t + 1855, 240, 1, io("Revenue grew in every region, led by Europe.", "[1] q3-report.pdf#p4")),
    format(108, 101, t + 2100),
  ]);
  return { a, b };
}

function showInputs(list, inputs) {
  list.replaceChildren(
    ...Object.entries(inputs).flatMap(([name, value]) => {
      const dt = document.createElement("dt");
      dt.textContent = name;
      const dd = document.createElement("dd");
      dd.textContent = value;
      return [dt, dd];
    }),
  );
}

function story(name) {
  return { element: document.getElementById(`story-${name}`), inputs: document.getElementById(`story-${name}-inputs`) };
}

function traceStory(name, make, label) {
  const { element, inputs } = story(name);
  const value = make();
  element.trace = value;
  showInputs(inputs, { trace: `${label} (${value.spans.length} spans, set as a property)` });
}

async function apiStories() {
  const error = story("error");
  showInputs(error.inputs, { "api-base": "/api", "execution-id": "missing-execution" });
  const live = story("live");
  try {
    const response = await fetch("/api/executions?limit=20");
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail ?? response.statusText);
    const running = body.executions.find((e) => e.status === "running") ?? body.executions[0];
    if (running) live.element.setAttribute("execution-id", running.id);
    showInputs(live.inputs, { "api-base": "/api", "execution-id": running ? running.id : "(none yet)", live: "true" });
  } catch (failure) {
    showInputs(live.inputs, { "api-base": "/api", live: "true", error: failure.message });
  }
  const thread = story("thread");
  try {
    const response = await fetch("/api/executions?limit=100");
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail ?? response.statusText);
    const turn = body.executions.find((e) => e.thread_id);
    if (turn) thread.element.setAttribute("execution-id", turn.id);
    showInputs(thread.inputs, {
      "api-base": "/api",
      "execution-id": turn ? turn.id : "(no run of a thread yet)",
      thread_id: turn ? turn.thread_id : "(none)",
    });
  } catch (failure) {
    showInputs(thread.inputs, { "api-base": "/api", error: failure.message });
  }
}

export function setUpStories() {
  showInputs(story("empty").inputs, { "execution-id": "(none)" });
  const loading = story("loading");
  loading.element.trace = new Promise(() => {});
  showInputs(loading.inputs, { trace: "a promise that never settles" });
  traceStory("small", smallRun, "small run");
  traceStory("llm", llmRun, "LLM-heavy run");
  traceStory("conversation", conversationRun, "one model call as a conversation");
  traceStory("failed", failedRun, "failed run");
  traceStory("fanout", fanOutRun, "parallel drafts with a retry");
  traceStory("nodeio", nodeIoRun, "node input and output");
  const nodeIo = story("nodeio");
  nodeIo.element.selectedSpanId = hex(2, 16);
  showInputs(nodeIo.inputs, { trace: "node input and output (5 spans, set as a property)", selectedSpanId: hex(2, 16) });
  traceStory("cost", costRun, "model calls from four providers' models");
  const compared = story("compare");
  const runs = comparedRuns();
  compared.element.trace = runs.a;
  compared.element.compareTrace = runs.b;
  showInputs(compared.inputs, {
    trace: `run A (${runs.a.spans.length} spans, set as a property)`,
    compareTrace: `run B of the same workflow (${runs.b.spans.length} spans, set as a property)`,
  });
  traceStory("10k", () => syntheticTrace(10_000), "synthetic");
  const big = story("100k");
  showInputs(big.inputs, { trace: "synthetic (100,000 spans, set as a property on demand)" });
  document.getElementById("load-100k").addEventListener("click", (event) => {
    event.target.disabled = true;
    big.element.trace = syntheticTrace(100_000);
  });
  apiStories();
}

if (document.getElementById("story-small")) setUpStories();
