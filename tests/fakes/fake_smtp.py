"""A small SMTP server on loopback: Django's real SMTP backend talks to it over a socket.

`rcpt_reply` sets the answer to RCPT TO (e.g. "550 5.1.1 no such user", "450 4.2.0 greylisted");
`drop_after_data` closes the connection after the message body arrives, before the final reply:
the ambiguous case, where the server may have taken the message. `hold_after_data` keeps the
final reply back until release(): the client waits, as on a slow server, and can be killed there.
"""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass, field

from tests.fakes.http_fake import serve_in_thread, shut_down


@dataclass
class FakeSMTP:
    rcpt_reply: str = "250 2.1.5 OK"
    drop_after_data: bool = False
    hold_after_data: bool = False
    messages: list[str] = field(default_factory=list)
    port: int = 0
    released: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)

    def release(self) -> None:
        self.released.set()

    def start(self) -> FakeSMTP:
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def send(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self) -> None:
                self.send("220 fake.smtp ESMTP")
                while line := self.rfile.readline().decode().strip():
                    verb = line.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.send("250-fake.smtp")
                        self.send("250 8BITMIME")
                    elif verb in ("HELO", "MAIL", "RSET", "NOOP"):
                        self.send("250 OK")
                    elif verb == "RCPT":
                        self.send(fake.rcpt_reply)
                    elif verb == "DATA":
                        self.send("354 go ahead")
                        body = []
                        while (chunk := self.rfile.readline().decode()) not in (".\r\n", ""):
                            body.append(chunk)
                        fake.messages.append("".join(body))
                        if fake.drop_after_data:
                            return
                        if fake.hold_after_data and not fake.released.wait(timeout=60):
                            return
                        self.send("250 2.0.0 queued")
                    elif verb == "QUIT":
                        self.send("221 bye")
                        return
                    else:
                        self.send("502 not implemented")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = serve_in_thread(self.server)
        return self

    def stop(self) -> None:
        self.released.set()
        shut_down(self.server, self._thread)
