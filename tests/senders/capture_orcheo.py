"""Captures what the real Orcheo back end sends over OTLP, as fixtures for the receiver's tests.

It runs the orcheo-backend server from PyPI (see requirements-orcheo.txt) the way the Canvas uses it: a workflow is
created over the REST API and each run is started over the `/ws/workflow/{id}` WebSocket with a `run_workflow`
message. Orcheo's own tracing is switched on through its variables (`ORCHEO_TRACING_EXPORTER=otlp`,
`ORCHEO_TRACING_ENDPOINT=<full URL of the traces endpoint>`, `ORCHEO_WORKSPACE`), pointed at a small HTTP server in
this script that keeps every request body as it came. The bodies are written unchanged to
`trace-api/tests/fixtures/orcheo/<scenario>/NNN.pb`, with a `meta.json` that says what the run was and what Orcheo
itself reported about it (its `/api/executions/{id}/trace` answer: status, span count, tokens).

The server runs in this process (uvicorn on a thread) for two reasons: the LLM scenario replaces
`orcheo.nodes.ai.init_chat_model` with a scripted chat model so that no network or key is needed (the node, the
agent loop and the tracing are Orcheo's own), and the tracer provider can be flushed between scenarios so that each
scenario's requests are its own.

The back end keeps its state in Postgres (its only storage backend); `--postgres` names a server where a throwaway
database is created and dropped.

    python capture_orcheo.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "trace-api" / "tests" / "fixtures" / "orcheo"
WORKSPACE = "ws-orcheo-capture"
WORKSPACE_SLUG = "capture"
LLM_PROMPT = "Summarize: the quarterly report shows revenue up 12% and costs flat."
LLM_ANSWER = "Revenue grew 12% while costs stayed flat."
LLM_USAGE = {"input_tokens": 64, "output_tokens": 11, "total_tokens": 75}
LLM_MODEL = "gpt-4o-mini-2024-07-18"

SUCCESS_SCRIPT = '''
from orcheo.graph import END, START, StateGraph
from orcheo.graph.state import State
from orcheo.nodes.logic.utilities import SetVariableNode


graph = StateGraph(State)
graph.add_node("prepare", SetVariableNode(name="prepare", variables={"greeting": "hello", "count": 3}))
graph.add_node("finish", SetVariableNode(name="finish", variables={"done": True}))
graph.add_edge(START, "prepare")
graph.add_edge("prepare", "finish")
graph.add_edge("finish", END)
'''

ERROR_SCRIPT = '''
from orcheo.graph import END, START, StateGraph
from orcheo.graph.state import State
from orcheo.nodes.base import TaskNode
from orcheo.nodes.logic.utilities import SetVariableNode


class FetchInvoices(TaskNode):
    """Fails the way a node calling an unreachable service does."""

    async def run(self, state, config):
        raise ConnectionError("invoice service unreachable at billing.internal:443")


graph = StateGraph(State)
graph.add_node("prepare", SetVariableNode(name="prepare", variables={"month": "2026-11"}))
graph.add_node("fetch_invoices", FetchInvoices(name="fetch_invoices"))
graph.add_edge(START, "prepare")
graph.add_edge("prepare", "fetch_invoices")
graph.add_edge("fetch_invoices", END)
'''

LLM_SCRIPT = f'''
from orcheo.graph import END, START, StateGraph
from orcheo.graph.state import State
from orcheo.nodes.ai.agent import LLMNode
from orcheo.nodes.logic.utilities import SetVariableNode


graph = StateGraph(State)
graph.add_node("prepare", SetVariableNode(name="prepare", variables={{"topic": "quarterly report"}}))
graph.add_node(
    "summarize",
    LLMNode(name="summarize", ai_model="openai:gpt-4o-mini", input_text={LLM_PROMPT!r}),
)
graph.add_edge(START, "prepare")
graph.add_edge("prepare", "summarize")
graph.add_edge("summarize", END)
'''

SCENARIOS = [
    ("success", "a plain successful run: two SetVariableNode steps", SUCCESS_SCRIPT, "completed"),
    ("error", "a run whose second node raises ConnectionError", ERROR_SCRIPT, "error"),
    ("llm", "a run with an LLMNode answered by a scripted chat model reporting token usage", LLM_SCRIPT, "completed"),
]


class Capture:
    """The OTLP/HTTP endpoint Orcheo exports to: keeps each request body and its content type."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, bytes]] = []
        self.lock = threading.Lock()
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server hook
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with capture.lock:
                    capture.requests.append((self.path, self.headers.get("Content-Type", ""), body))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self) -> list[tuple[str, str, bytes]]:
        with self.lock:
            taken, self.requests = self.requests, []
        return taken


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scripted_chat_model():
    """A chat model that answers from a script and reports usage the way OpenAI's does."""
    from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
    from langchain_core.messages import AIMessage

    class ScriptedChatModel(FakeMessagesListChatModel):
        model_name: str = "gpt-4o-mini"

        def bind_tools(self, tools: Any, **kwargs: Any) -> "ScriptedChatModel":
            return self

    return ScriptedChatModel(
        responses=[
            AIMessage(
                content=LLM_ANSWER,
                usage_metadata=LLM_USAGE,
                response_metadata={"model_name": LLM_MODEL, "finish_reason": "stop"},
            )
        ]
)


def create_database(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"orcheo_capture_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    base, _, _ = admin_url.rpartition("/")
    return name, f"{base}/{name}"


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def http_json(method: str, url: str, body: Any | None = None) -> Any:
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "X-Orcheo-Workspace": WORKSPACE_SLUG}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


async def run_over_websocket(base: str, workflow_id: str, script: str, execution_id: str) -> list[dict]:
    """Starts a run as the Canvas does and returns every message the server sent until it closed."""
    import websockets

    messages: list[dict] = []
    async with websockets.connect(f"ws://{base}/ws/workflow/{workflow_id}", max_size=None) as ws:
        await ws.send(
            json.dumps(
                {
                    "type": "run_workflow",
                    "execution_id": execution_id,
                    "graph_config": {"format": "langgraph-script", "source": script},
                    "inputs": {"message": "start"},
                }
            )
        )
        try:
            async for raw in ws:
                messages.append(json.loads(raw))
        except websockets.ConnectionClosed:
            pass
    return messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True, help="an admin URL of a Postgres server (a database is made)")
    parser.add_argument("--out", type=Path, default=FIXTURES)
    args = parser.parse_args()

    capture = Capture()
    db_name, dsn = create_database(args.postgres)
    port = free_port()
    # Orcheo reads these through Dynaconf with the ORCHEO_ prefix when its settings are first loaded; the endpoint
    # goes to the OTLP/HTTP exporter as given, so it is the full URL of the traces path.
    os.environ.update(
        {
            "ORCHEO_TRACING_EXPORTER": "otlp",
            "ORCHEO_TRACING_ENDPOINT": f"http://127.0.0.1:{capture.port}/v1/traces",
            "ORCHEO_TRACING_SERVICE_NAME": "orcheo-backend",
            "ORCHEO_WORKSPACE": WORKSPACE,
            "ORCHEO_AUTH_MODE": "disabled",
            "ORCHEO_POSTGRES_DSN": dsn,
            "ORCHEO_VAULT_ENCRYPTION_KEY": secrets.token_hex(32),
            "ORCHEO_PORT": str(port),
        }
)

    import orcheo.nodes.ai as orcheo_ai
    import uvicorn
    from opentelemetry import trace

    orcheo_ai.init_chat_model = lambda *a, **k: scripted_chat_model()  # type: ignore[assignment]

    from orcheo_backend.app import app

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while not server.started:
            if time.time() > deadline or not thread.is_alive():
                raise SystemExit("the Orcheo back end did not start")
            time.sleep(0.2)

        import orcheo
        import orcheo_backend

        versions = {
            "orcheo": getattr(orcheo, "__version__", None) or _dist_version("orcheo"),
            "orcheo-backend": getattr(orcheo_backend, "__version__", None) or _dist_version("orcheo-backend"),
        }
        # With authentication off every request is the `anonymous` user, who needs a workspace to create workflows
        # in; the Canvas' users get theirs at sign-up.
        from orcheo_backend.app.workspace.dependencies import get_workspace_service

        get_workspace_service().create_workspace(slug=WORKSPACE_SLUG, name="Capture", owner_user_id="anonymous")
        workflows = {
            scenario: http_json(
                "POST",
                f"http://{base}/api/workflows",
                {"name": f"capture {scenario}", "handle": f"capture-{scenario}-{uuid.uuid4().hex[:6]}"},
            )["id"]
            for scenario, *_ in SCENARIOS
        }
        provider = trace.get_tracer_provider()
        # The REST calls above are traced too; they are not part of any run, so they are flushed and dropped here
        # and each scenario keeps only what its run sent.
        provider.force_flush(30_000)
        capture.take()
        runs = []
        for scenario, description, script, expected_status in SCENARIOS:
            execution_id = str(uuid.uuid4())
            messages = asyncio.run(run_over_websocket(base, workflows[scenario], script, execution_id))
            provider.force_flush(30_000)
            runs.append((scenario, description, expected_status, execution_id, messages, capture.take()))
        for scenario, description, expected_status, execution_id, messages, requests in runs:
            reported = http_json("GET", f"http://{base}/api/executions/{execution_id}/trace")
            write_scenario(
                args.out / scenario,
                scenario=scenario,
                description=description,
                workflow_id=workflows[scenario],
                execution_id=execution_id,
                expected_status=expected_status,
                requests=requests,
                reported=reported,
                websocket_statuses=[m.get("status") for m in messages if isinstance(m, dict) and m.get("status")],
                versions=versions,
            )
            status = reported.get("execution", {}).get("status")
            print(f"{scenario}: {len(requests)} request(s), Orcheo reports {status}")
            if status != expected_status:
                raise SystemExit(f"{scenario}: expected {expected_status}, Orcheo reports {status}")
        provider.force_flush(30_000)
        capture.take()
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        trace.get_tracer_provider().shutdown()
        capture.server.shutdown()
        drop_database(args.postgres, db_name)


def _dist_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def write_scenario(
    folder: Path,
    *,
    scenario: str,
    description: str,
    workflow_id: str,
    execution_id: str,
    expected_status: str,
    requests: list[tuple[str, str, bytes]],
    reported: dict,
    websocket_statuses: list[str],
    versions: dict,
) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    span_count = 0
    trace_ids: set[str] = set()
    for i, (_, _, body) in enumerate(requests, start=1):
        (folder / f"{i:03d}.pb").write_bytes(body)
        decoded = ExportTraceServiceRequest()
        decoded.ParseFromString(body)
        for resource_spans in decoded.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    span_count += 1
                    trace_ids.add(span.trace_id.hex())
    execution = reported.get("execution", {})
    meta = {
        "scenario": scenario,
        "description": description,
        "sender": versions,
        "content_type": sorted({content_type for _, content_type, _ in requests}),
        "paths": sorted({path for path, _, _ in requests}),
        "requests": len(requests),
        "workflow_id": workflow_id,
        "execution_id": execution_id,
        "workspace": WORKSPACE,
        "trace_id": execution.get("trace_id") or (sorted(trace_ids)[0] if len(trace_ids) == 1 else None),
        "span_count": span_count,
        "expected_status": expected_status,
        "websocket_statuses": websocket_statuses,
        "orcheo_reported": {
            "status": execution.get("status"),
            "token_usage": execution.get("token_usage"),
            "span_count": len(reported.get("spans", [])),
            "trace_id": execution.get("trace_id"),
        },
    }
    if scenario == "llm":
        meta["llm"] = {
            "prompt": LLM_PROMPT,
            "response": LLM_ANSWER,
            "input_tokens": LLM_USAGE["input_tokens"],
            "output_tokens": LLM_USAGE["output_tokens"],
            "model": LLM_MODEL,
        }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
