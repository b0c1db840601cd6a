#!/usr/bin/env python3
"""A tiny AWS Lambda Runtime API emulator for one invocation (make deploy-check).

    python3 lambda-runtime-emulator.py --event event.json --out result.json -- CMD [ARGS...]

Listens on 127.0.0.1 (a free port), starts CMD (a Lambda bootstrap, e.g. under qemu-aarch64)
with AWS_LAMBDA_RUNTIME_API pointing at itself, hands it the event on its first
`GET /2018-06-01/runtime/invocation/next`, takes the answer from
`POST .../invocation/{id}/response` (or `.../error`, or `/runtime/init/error`), stops CMD and
writes a JSON summary to --out:

    {"ok": true, "response": {...}, "init_ms": 12.3, "invoke_ms": 45.6, ...}

init_ms is what Lambda reports as Init Duration: from starting the process to its first call
to /invocation/next. invoke_ms runs from handing out the event to the response. Only the parts
of the Runtime API a Rust runtime (lambda_runtime) uses are served; Python's standard library
only, so it runs with any python3.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"


class Invocation:
    def __init__(self, event: bytes, deadline_seconds: float):
        self.event = event
        self.deadline_seconds = deadline_seconds
        self.request_id = str(uuid.uuid4())
        self.started = 0.0  # monotonic time the process was started
        self.first_next = None  # monotonic time of the first /next
        self.handed_out = False
        self.answered = threading.Event()
        self.result = None  # ("response" | "error" | "init_error", body bytes, monotonic time)
        self.lock = threading.Lock()


def make_handler(inv: Invocation):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # keep the bootstrap's own log readable
            pass

        def _reply(self, status, body=b"", headers=None):
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self):
            if self.path != f"{PREFIX}/invocation/next":
                return self._reply(404, b'{"errorMessage":"not found"}')
            with inv.lock:
                if inv.first_next is None:
                    inv.first_next = time.monotonic()
                first = not inv.handed_out
                inv.handed_out = True
            if not first:
                # One invocation only: the runtime waits here, as it would for the next event,
                # until the emulator stops it.
                inv.answered.wait()
                time.sleep(3600)
                return None
            inv.handed_out_at = time.monotonic()
            deadline_ms = int((time.time() + inv.deadline_seconds) * 1000)
            return self._reply(
                200,
                inv.event,
                {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": inv.request_id,
                    "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:deploy-check",
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
                },
            )

        def do_POST(self):
            body = self._body()
            now = time.monotonic()
            if self.path == f"{PREFIX}/invocation/{inv.request_id}/response":
                kind = "response"
            elif self.path == f"{PREFIX}/invocation/{inv.request_id}/error":
                kind = "error"
            elif self.path == f"{PREFIX}/init/error":
                kind = "init_error"
            else:
                return self._reply(404, b'{"errorMessage":"not found"}')
            self._reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})
            if inv.result is None:
                inv.result = (kind, body, now)
                inv.answered.set()
            return None

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--event", required=True, help="the event (JSON file)")
    parser.add_argument("--out", required=True, help="where to write the summary (JSON)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for an answer")
    parser.add_argument("command", nargs="+", help="the bootstrap to run (after --)")
    args = parser.parse_args()

    with open(args.event, "rb") as f:
        event = f.read()
    json.loads(event)  # fail early on a malformed event
    inv = Invocation(event, args.timeout)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(inv))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{port}")
    inv.started = time.monotonic()
    # Its own process group, so that a wrapper (qemu) and the bootstrap are stopped together.
    proc = subprocess.Popen(args.command, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = inv.started + args.timeout
    while not inv.answered.is_set() and proc.poll() is None and time.monotonic() < deadline:
        inv.answered.wait(0.05)
    exited = proc.poll()
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    server.shutdown()

    summary = {"ok": False, "port": port}
    if inv.first_next is not None:
        summary["init_ms"] = round((inv.first_next - inv.started) * 1000, 1)
    if inv.result is None:
        summary["error"] = (
            f"the bootstrap exited with status {exited} before answering"
            if exited is not None
            else f"no answer within {args.timeout:g}s"
        )
    else:
        kind, body, at = inv.result
        summary["kind"] = kind
        if hasattr(inv, "handed_out_at"):
            summary["invoke_ms"] = round((at - inv.handed_out_at) * 1000, 1)
        try:
            summary["response"] = json.loads(body)
        except ValueError:
            summary["response"] = body.decode("utf-8", "replace")
        summary["ok"] = kind == "response"
    with open(args.out, "w") as f:
        json.dump(summary, f, indent=2)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
