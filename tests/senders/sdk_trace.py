"""Sends a small multi-level trace through the plain OpenTelemetry Python SDK to an OTLP endpoint.

The shape is the one most senders use: the execution id on the root span only, its children without it; one
child fails (status ERROR and an `exception` event); one child is an LLM call in the GenAI conventions. With
`--spans N` the trace grows to N spans (the extra ones are plain nodes under the root).

What was sent (trace id, span ids, counts, tokens) is printed as one JSON object on stdout.

    python sdk_trace.py http://127.0.0.1:8080/v1/traces --processor batch --protocol http/protobuf
    python sdk_trace.py 127.0.0.1:4317 --protocol grpc
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import uuid
from typing import Sequence

import requests
from google.protobuf import json_format
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import SpanKind, Status, StatusCode, set_span_in_context

INPUT_TOKENS = 42
OUTPUT_TOKENS = 17
MODEL = "gpt-4o-mini"


class OtlpJsonSpanExporter(SpanExporter):
    """OTLP/HTTP with the JSON encoding, which the Python SDK does not ship.

    The request is the same protobuf `ExportTraceServiceRequest` the protobuf exporter builds, written as OTLP JSON:
    camelCase field names, enums as integers, and trace/span ids as lowercase hex (not protobuf JSON's base64).
    """

    def __init__(self, endpoint: str, headers: dict[str, str] | None = None, timeout: float = 10.0):
        self._endpoint = endpoint
        self._headers = {"Content-Type": "application/json", **(headers or {})}
        self._timeout = timeout
        self._session = requests.Session()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        body = json.dumps(to_otlp_json(encode_spans(spans)))
        try:
            response = self._session.post(self._endpoint, data=body, headers=self._headers, timeout=self._timeout)
        except requests.RequestException as error:
            print(f"otlp/json export failed: {error}", file=sys.stderr)
            return SpanExportResult.FAILURE
        if response.status_code != 200:
            print(f"otlp/json export refused: {response.status_code} {response.text}", file=sys.stderr)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self._session.close()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def to_otlp_json(request) -> dict:
    """The OTLP JSON form of an `ExportTraceServiceRequest`."""
    document = json_format.MessageToDict(request, use_integers_for_enums=True)
    _hex_ids(document)
    return document


def _hex_ids(node) -> None:
    # Protobuf JSON writes bytes as base64; OTLP JSON writes trace and span ids as hex.
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("traceId", "spanId", "parentSpanId") and isinstance(value, str):
                node[key] = base64.b64decode(value).hex()
            else:
                _hex_ids(value)
    elif isinstance(node, list):
        for item in node:
            _hex_ids(item)


def exporter_for(protocol: str, endpoint: str, token: str | None) -> SpanExporter:
    # gRPC metadata keys must be lowercase; HTTP header names are case-insensitive.
    headers = {"authorization": f"Bearer {token}"} if token else None
    if protocol == "http/protobuf":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=endpoint, headers=headers)
    if protocol == "http/json":
        return OtlpJsonSpanExporter(endpoint, headers)
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

        return GrpcExporter(endpoint=endpoint, insecure=True, headers=headers)
    raise SystemExit(f"unknown protocol {protocol!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("endpoint", help="the full OTLP/HTTP traces URL, or host:port for gRPC")
    parser.add_argument("--processor", choices=["batch", "simple"], default="batch")
    parser.add_argument("--protocol", choices=["http/protobuf", "http/json", "grpc"], default="http/protobuf")
    parser.add_argument("--spans", type=int, default=5, help="total spans in the trace (at least 5)")
    parser.add_argument("--execution-id", default=None)
    parser.add_argument("--workspace", default="ws-senders")
    parser.add_argument("--token", default=None, help="a bearer token for the receiver")
    args = parser.parse_args()
    if args.spans < 5:
        raise SystemExit("--spans must be at least 5")

    execution_id = args.execution_id or f"sdk-{uuid.uuid4().hex[:12]}"
    exporter = exporter_for(args.protocol, args.endpoint, args.token)
    processor = BatchSpanProcessor(exporter) if args.processor == "batch" else SimpleSpanProcessor(exporter)
    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": "sdk-sender", "orcheo.workspace.id": args.workspace, "deployment.environment": "test"}
        )
    )
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("senders.sdk_trace", "1.0.0")

    ids: dict[str, str] = {}
    parents: dict[str, str | None] = {}

    def remember(name: str, span, parent: str | None) -> None:
        ids[name] = format(span.get_span_context().span_id, "016x")
        parents[name] = parent

    root = tracer.start_span(
        "workflow sdk-demo",
        kind=SpanKind.INTERNAL,
        attributes={"orcheo.execution.id": execution_id, "orcheo.workflow.id": "sdk-demo"},
    )
    remember("root", root, None)
    root_cx = set_span_in_context(root)

    fetch = tracer.start_span("node fetch", context=root_cx, attributes={"orcheo.node.id": "fetch"})
    remember("fetch", fetch, "root")
    fetch.end()

    summarize = tracer.start_span("node summarize", context=root_cx, attributes={"orcheo.node.id": "summarize"})
    remember("summarize", summarize, "root")
    llm = tracer.start_span(
        f"chat {MODEL}",
        kind=SpanKind.CLIENT,
        context=set_span_in_context(summarize),
        attributes={
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": MODEL,
            "gen_ai.response.model": f"{MODEL}-2024-07-18",
            "gen_ai.usage.input_tokens": INPUT_TOKENS,
            "gen_ai.usage.output_tokens": OUTPUT_TOKENS,
            "gen_ai.input.messages": json.dumps(
                [{"role": "user", "parts": [{"type": "text", "content": "Summarize the quarterly report."}]}]
            ),
            "gen_ai.output.messages": json.dumps(
                [
                    {
                        "role": "assistant",
                        "parts": [{"type": "text", "content": "Revenue grew 12%."}],
                        "finish_reason": "stop",
                    }
                ]
            ),
        },
    )
    remember("llm", llm, "summarize")
    llm.end()
    summarize.end()

    notify = tracer.start_span("node notify", context=root_cx, attributes={"orcheo.node.id": "notify"})
    remember("notify", notify, "root")
    try:
        raise ConnectionError("SMTP server refused the connection")
    except ConnectionError as error:
        notify.record_exception(error)
        notify.set_status(Status(StatusCode.ERROR, "notification failed"))
    notify.end()

    extra = args.spans - 5
    for i in range(extra):
        span = tracer.start_span(f"node step-{i}", context=root_cx, attributes={"orcheo.node.id": f"step-{i}"})
        span.end()
        if i == 0:
            remember("step-0", span, "root")

    root.end()
    flushed = provider.force_flush(60_000)
    provider.shutdown()

    print(
        json.dumps(
            {
                "trace_id": format(root.get_span_context().trace_id, "032x"),
                "execution_id": execution_id,
                "workspace": args.workspace,
                "span_count": args.spans,
                "error_count": 1,
                "span_ids": ids,
                "parents": {name: (ids[p] if p else None) for name, p in parents.items()},
                "input_tokens": INPUT_TOKENS,
                "output_tokens": OUTPUT_TOKENS,
                "model": MODEL,
                "flushed": flushed,
            }
        )
    )
    if not flushed:
        sys.exit(1)


if __name__ == "__main__":
    main()
