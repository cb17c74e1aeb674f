"""Runs a LangGraph ReAct agent traced by OpenInference's LangChain instrumentation to an OTLP/HTTP endpoint.

The chat model is a scripted fake (no network): its first answer calls the `get_weather` tool, its second answers
in text; both report token usage the way real chat models do (`usage_metadata`). Spans go through a
SimpleSpanProcessor, one OTLP request per span, as the OpenInference README sets tracing up.

What the run should look like (trace id, span count, token totals, the tool's name) is printed as JSON on stdout.

    python langgraph_agent.py http://127.0.0.1:8080/v1/traces
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent
from openinference.instrumentation.langchain import LangChainInstrumentor
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

QUESTION = "What is the weather in Paris?"
# The conversation the run continues: LangGraph's thread id, which OpenInference reports as `session.id`.
THREAD_ID = "weather-chat-7"
ANSWER = "It is sunny and 21 degrees in Paris."
TOOL_RESULT = "sunny, 21 degrees"
USAGE = [(57, 12), (83, 14)]  # (input, output) tokens of the two model calls


@tool
def get_weather(city: str) -> str:
    """The current weather in a city."""
    return TOOL_RESULT


class ScriptedChatModel(FakeMessagesListChatModel):
    """A fake chat model that accepts tools (the agent binds them) and answers from its script."""

    model_name: str = "scripted-gpt"

    def bind_tools(self, tools: Any, **kwargs: Any) -> "ScriptedChatModel":
        return self

    @property
    def _llm_type(self) -> str:
        return "scripted-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}


class Recorder(SpanExporter):
    """Keeps what went out so the printed facts are the ones the receiver got."""

    def __init__(self, inner: SpanExporter):
        self.inner = inner
        self.spans: list[ReadableSpan] = []
        self.requests = 0
        self.failures = 0

    def export(self, spans):
        result = self.inner.export(spans)
        self.requests += 1
        if result == SpanExportResult.SUCCESS:
            self.spans.extend(spans)
        else:
            self.failures += 1
        return result

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("endpoint", help="the full OTLP/HTTP traces URL")
    parser.add_argument("--token", default=None, help="a bearer token for the receiver")
    args = parser.parse_args()

    headers = {"Authorization": f"Bearer {args.token}"} if args.token else None
    recorder = Recorder(OTLPSpanExporter(endpoint=args.endpoint, headers=headers))
    provider = TracerProvider(resource=Resource.create({"service.name": "langgraph-agent"}))
    provider.add_span_processor(SimpleSpanProcessor(recorder))
    LangChainInstrumentor().instrument(tracer_provider=provider)

    def usage(i: int) -> dict[str, int]:
        return {"input_tokens": USAGE[i][0], "output_tokens": USAGE[i][1], "total_tokens": sum(USAGE[i])}

    model = ScriptedChatModel(
        responses=[
            AIMessage(
                content="",
                tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1", "type": "tool_call"}],
                usage_metadata=usage(0),
            ),
            AIMessage(content=ANSWER, usage_metadata=usage(1)),
        ]
    )
    agent = create_react_agent(model, [get_weather])
    result = agent.invoke(
        {"messages": [HumanMessage(content=QUESTION)]}, config={"configurable": {"thread_id": THREAD_ID}}
    )
    final = result["messages"][-1].content

    LangChainInstrumentor().uninstrument()
    provider.force_flush()
    provider.shutdown()

    spans = recorder.spans
    # What OpenInference sent as the session: LangGraph's thread id, on the spans that carry one.
    session_ids = sorted({str(s.attributes["session.id"]) for s in spans if "session.id" in (s.attributes or {})})
    roots = [s for s in spans if s.parent is None]
    kinds: dict[str, int] = {}
    # What each chain (node) span sent as its input and output, exactly, to check they are stored intact.
    node_io: dict[str, dict[str, str]] = {}
    io_keys = ("input.value", "input.mime_type", "output.value", "output.mime_type")
    for span in spans:
        attributes = span.attributes or {}
        kind = str(attributes.get("openinference.span.kind", ""))
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == "CHAIN" and "input.value" in attributes:
            node_io[format(span.context.span_id, "016x")] = {
                key: str(attributes[key]) for key in io_keys if key in attributes
            }
    print(
        json.dumps(
            {
                "trace_id": format(roots[0].context.trace_id, "032x") if roots else None,
                "root_span_id": format(roots[0].context.span_id, "016x") if roots else None,
                "root_name": roots[0].name if roots else None,
                "span_count": len(spans),
                "requests": recorder.requests,
                "failures": recorder.failures,
                "span_names": [s.name for s in spans],
                "kinds": kinds,
                "input_tokens": sum(u[0] for u in USAGE),
                "output_tokens": sum(u[1] for u in USAGE),
                "llm_calls": len(USAGE),
                "tool": "get_weather",
                "thread_id": THREAD_ID,
                "session_ids": session_ids,
                "question": QUESTION,
                "answer": final,
                "tool_result": TOOL_RESULT,
                "node_io": node_io,
            }
        )
    )
    if recorder.failures or len(roots) != 1 or final != ANSWER:
        sys.exit(1)


if __name__ == "__main__":
    main()
