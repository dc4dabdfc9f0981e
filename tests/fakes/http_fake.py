"""What every fake provider API in the tests shares: an HTTP server on 127.0.0.1 in a thread.

A fake subclasses ``HttpFake`` and writes ``answer(request)``: the provider's URLs, payloads and
status codes. This module does the rest: a free port, one thread per request, HTTP/1.0 (one
request per connection, so no pooled connection outlives ``stop()``), the request log, replies a
test queues (``Replies``), JSON answers, answers held until ``release()`` or ``stop()`` (so a
client's read timeout fires without the test sleeping), connections closed with no answer, the
exceptions raised inside the server (``errors``) and the pytest fixture's body (``serving()``).
After ``stop()`` nothing listens on ``url``, so connections are refused.
"""

from __future__ import annotations

import json
import socketserver
import sys
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, Self
from urllib.parse import parse_qs, urlsplit


def serve_in_thread(server: socketserver.BaseServer) -> threading.Thread:
    """Serve `server` from a daemon thread until `shut_down`."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return thread


def shut_down(server: socketserver.BaseServer, thread: threading.Thread) -> None:
    """Stop serving and close the listening socket: connections are refused from now on."""
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def first_values(encoded: str, *, keep_blank_values: bool = False) -> dict[str, str]:
    """A query string or form body as {name: first value}."""
    parsed = parse_qs(encoded, keep_blank_values=keep_blank_values)
    return {k: v[0] for k, v in parsed.items()}


@dataclass(frozen=True)
class Request:
    """One request as the server read it, handed to `HttpFake.answer`."""

    method: str  # "GET" | "POST"
    path: str  # without the query string
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes  # b"" for a GET


class Answer(NamedTuple):
    status: int
    body: Any  # turned into JSON
    hold: bool = False  # keep it back until release() or stop()


class Replies:
    """Replies a test queues, taken one a request in order; thread-safe."""

    def __init__(self) -> None:
        self._queue: deque = deque()
        self._lock = threading.Lock()

    def extend(self, replies) -> None:
        with self._lock:
            self._queue.extend(replies)

    def next(self, default):
        """The first queued reply, or `default` when none is queued."""
        with self._lock:
            return self._queue.popleft() if self._queue else default


class HttpFake:
    """A provider's API on 127.0.0.1. Subclasses set `name` and write `answer`."""

    name = "HTTP"  # for the fixture's message: "the fake Twilio itself failed"
    content_type = "application/json"
    keep_blank_query_values = False
    request_queue_size = 5  # the listen() backlog (socketserver's default)

    def __init__(self, *, hang_limit: float = 30.0) -> None:
        self.hang_limit = hang_limit  # a held answer is held at most this long
        self.requests: list = []  # what the subclass records, in order
        self.errors: list[BaseException] = []  # exceptions inside the server, for debugging
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._stopped = False
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    # --- the provider's part ---------------------------------------------------------------------

    def answer(self, request: Request) -> Answer | None:
        """The answer to `request`, or None to close the connection with no answer."""
        raise NotImplementedError

    # --- running ---------------------------------------------------------------------------------

    def start(self) -> Self:
        self._server = _Server(("127.0.0.1", 0), _Handler, fake=self)
        self._port = self._server.server_address[1]
        self._thread = serve_in_thread(self._server)
        return self

    def stop(self) -> None:
        """Stop listening (connections to `url` are refused from now on) and free held answers."""
        with self._lock:
            self._stopped = True
            self._release.set()
        if self._server is not None and self._thread is not None:
            shut_down(self._server, self._thread)
        self._server = None
        self._thread = None

    def serving(self) -> Iterator[Self]:
        """A fixture's body (``yield from FakeX(...).serving()``): start, hand the fake to the
        test, stop, and fail the test if the fake itself failed."""
        yield self.start()
        self.stop()
        assert self.errors == [], f"the fake {self.name} itself failed"

    def release(self) -> None:
        """Let the held answers go (their clients gave up); later ones are held again."""
        with self._lock:
            self._release.set()
            self._release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    # --- for subclasses --------------------------------------------------------------------------

    def _record(self, received) -> None:
        with self._lock:
            self.requests.append(received)

    def _hold(self) -> None:
        with self._lock:
            if self._stopped:
                return
            release = self._release
        release.wait(self.hang_limit)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address, handler, *, fake: HttpFake) -> None:
        self.fake = fake
        self.request_queue_size = fake.request_queue_size
        super().__init__(address, handler)

    def handle_error(self, request, client_address) -> None:
        self.fake.errors.append(sys.exc_info()[1])


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._serve("POST", self.rfile.read(length))

    def do_GET(self) -> None:
        self._serve("GET", b"")

    def _serve(self, method: str, body: bytes) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        query = first_values(parts.query, keep_blank_values=fake.keep_blank_query_values)
        answer = fake.answer(Request(method, parts.path, query, self.headers, body))
        if answer is None:
            self.close_connection = True
            return  # the socket closes with no answer
        if answer.hold:
            fake._hold()
        payload = json.dumps(answer.body).encode()
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", fake.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting, as a timed-out client does

    def log_message(self, format: str, *args) -> None:
        pass  # keep test output quiet; the fake's own log holds what it needs
