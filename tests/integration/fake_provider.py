"""Providers for the integration tests and scripts/benchmark_dispatch.py, used by a real worker.

- ``ControlledFileSMSBackend``: the file SMS backend (one JSON file per send, named with the
  message id) with a latency, and holds: the test stops chosen sends before the provider has them
  or after it has them but before the row says so, and faults the worker or Redis right then.
  ``SMS_BACKEND=tests.integration.fake_provider.ControlledFileSMSBackend``.
- ``LoopbackProvider`` and ``LoopbackSMSBackend``: a minimal SMS API on 127.0.0.1 (POST /messages
  with JSON to, body, reference; GET /messages?reference=) that counts sends per reference.
  ``SMS_BACKEND=tests.integration.fake_provider.LoopbackSMSBackend``, ``FAKE_PROVIDER_URL``.
"""

from __future__ import annotations

import http.client
import json
import os
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from notifications.backends.base import Backend, LookupUnavailable, SendError
from notifications.backends.file import FileSMSBackend
from tests.fakes.http_fake import Answer, HttpFake, Request


class ControlledFileSMSBackend(FileSMSBackend):
    """The file backend with a provider latency and sends the test holds until it says go.

    FAKE_SMS_DELAY_SECONDS: latency of every send, half before the file is written, half after.
    FAKE_SMS_HOLD: "ref:before,ref:after": the send of message `ref` stops before (the provider
    has nothing yet) or after (the provider has it, the row still says "sending") the file is
    written, until a file "release-<ref>" appears in SMS_FILE_PATH or FAKE_SMS_HOLD_SECONDS
    pass. Each is held once only, so a resend after a killed worker goes straight through.
    """

    def __init__(self) -> None:
        super().__init__()
        self.delay = float(os.environ.get("FAKE_SMS_DELAY_SECONDS") or 0)
        self.hold_seconds = float(os.environ.get("FAKE_SMS_HOLD_SECONDS") or 30)
        self.holds = dict(
            item.split(":") for item in (os.environ.get("FAKE_SMS_HOLD") or "").split(",") if item
        )

    def send(
        self,
        *,
        to: str,
        subject: str,
        body: str,
        reference: str,
        html: str = "",
        unsubscribe_url: str = "",
    ) -> str:
        self._hold(reference, "before")
        time.sleep(self.delay / 2)
        provider_id = super().send(to=to, subject=subject, body=body, reference=reference)
        self._hold(reference, "after")
        time.sleep(self.delay / 2)
        return provider_id

    def _hold(self, reference: str, when: str) -> None:
        if self.holds.get(reference) != when:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            with (self.folder / f"held-{reference}").open("x") as marker:
                marker.write(str(os.getpid()))  # the pool process holding it, for the test
        except FileExistsError:
            return  # held once already
        deadline = time.monotonic() + self.hold_seconds
        while time.monotonic() < deadline and not (self.folder / f"release-{reference}").exists():
            time.sleep(0.01)


def file_sends(folder: Path) -> dict[str, list[str]]:
    """{reference: [provider id, ...]} for every complete file the file backend wrote."""
    sends: dict[str, list[str]] = {}
    for path in folder.glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        reference = record["reference"]
        sends.setdefault(reference, []).append(path.stem.split(f"-{reference}-", 1)[1])
    return sends


# --- a loopback SMS API --------------------------------------------------------------------------


class LoopbackProvider(HttpFake):
    """An SMS API on 127.0.0.1 in a thread of this process; counts every send by reference."""

    name = "SMS provider"
    request_queue_size = 128

    def __init__(self) -> None:
        super().__init__()
        self.sends: Counter[str] = Counter()
        self.ids: dict[str, str] = {}

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.sends.values())

    def duplicates(self) -> dict[str, int]:
        with self._lock:
            return {reference: n for reference, n in self.sends.items() if n > 1}

    def answer(self, request: Request) -> Answer:
        if request.method == "GET":
            return Answer(200, {"id": self._find(request.query.get("reference", ""))})
        payload = json.loads(request.body or b"{}")
        if not payload.get("to") or not payload.get("reference"):
            return Answer(400, {"error": "to and reference are required"})
        return Answer(201, {"id": self._accept(payload["reference"])})

    def _accept(self, reference: str) -> str:
        provider_id = f"loop-{uuid.uuid4()}"
        with self._lock:
            self.sends[reference] += 1
            self.ids[reference] = provider_id
        return provider_id

    def _find(self, reference: str) -> str | None:
        with self._lock:
            return self.ids.get(reference)


class LoopbackSMSBackend(Backend):
    """Talks to LoopbackProvider at FAKE_PROVIDER_URL, with a timeout like a real provider."""

    channel = "sms"

    def __init__(self) -> None:
        split = urlsplit(os.environ["FAKE_PROVIDER_URL"])
        self.host, self.port = split.hostname or "127.0.0.1", split.port or 80

    def _request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=5)
        try:
            data = json.dumps(body).encode() if body is not None else None
            headers = {"Content-Type": "application/json"} if data else {}
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            connection.close()

    def send(
        self,
        *,
        to: str,
        subject: str,
        body: str,
        reference: str,
        html: str = "",
        unsubscribe_url: str = "",
    ) -> str:
        try:
            status, answer = self._request(
                "POST", "/messages", {"to": to, "body": body, "reference": reference}
            )
        except ConnectionRefusedError as exc:
            raise SendError(f"Provider unreachable: {exc}") from exc
        except OSError as exc:
            raise SendError(f"No answer from the provider: {exc}", ambiguous=True) from exc
        if status != 201:
            raise SendError(f"Provider said {status}: {answer}", permanent=400 <= status < 500)
        return answer["id"]

    def lookup(self, *, to, body, reference, since) -> str | None:
        try:
            _, answer = self._request("GET", f"/messages?reference={reference}")
        except OSError as exc:
            raise LookupUnavailable(str(exc)) from exc
        return answer.get("id")
