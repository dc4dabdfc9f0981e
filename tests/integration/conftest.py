"""Integration: the real PostgreSQL, a redis-server of our own and real `celery worker` processes.

Every test here commits its rows (django_db(transaction=True)) so a worker subprocess, pointed at
pytest-django's test database, sees them. Without PostgreSQL or Redis the tests skip, unless
SENDFLOW_REQUIRE_SERVICES=1 (set by .ci/run), where they fail.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications import services
from notifications.models import OutboundMessage
from sendflow.celery import app as celery_app
from tests.factories import CaseFactory, ContactFactory
from tests.integration.fake_provider import file_sends

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = [sys.executable, "-m", "celery"]  # the celery of the venv running the tests
WAIT_SECONDS = 60  # the most any one wait in these tests may take
Status = OutboundMessage.Status
FINAL = {Status.SENT, Status.DELIVERED, Status.FAILED, Status.CANCELLED, Status.SUPPRESSED}


def unavailable(reason: str) -> None:
    if os.environ.get("SENDFLOW_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (SENDFLOW_REQUIRE_SERVICES=1: integration tests must run)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    condition: Callable[[], object], *, what: str, timeout: float = WAIT_SECONDS, explain=None
):
    """Poll until `condition()` is truthy; fail after `timeout` seconds saying what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            detail = f"\n{explain()}" if explain else ""
            pytest.fail(f"Waited {timeout:.0f} s for {what}{detail}")
        time.sleep(0.05)


# --- redis-server --------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of the tests' own on a free port: killed and restarted at will."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def start(self, timeout: float = 10) -> RedisServer:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--logfile",
                str(self.folder / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            try:
                if self.client().ping():
                    return self
            except Exception:  # not listening yet
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not answer in {timeout} s")

    def kill(self) -> None:
        """SIGKILL: everything it held (it keeps nothing on disk) is gone."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def queued_tasks(self) -> int:
        """Task messages waiting in the broker's lists (not the ones a worker has taken)."""
        client = self.client()
        return sum(
            client.llen(key) for key in client.keys("celery*") if client.type(key) == b"list"
        )


# --- celery worker -------------------------------------------------------------------------------


class Worker:
    """`celery -A sendflow worker` in its own process group, so one signal reaches its pool too."""

    def __init__(self, env: dict[str, str], log: Path, args: list[str]) -> None:
        self.env, self.log, self.args = env, log, args
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Worker:
        name = f"itest-{uuid.uuid4().hex[:8]}@localhost"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*CELERY, "-A", "sendflow", "worker", "-n", name, *self.args],
                cwd=BASE_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(self._ready, what=f"worker {name} to be ready", timeout=timeout, explain=self.tail)
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"The worker exited with {self.process.returncode}\n{self.tail()}")
        return " ready." in self.log.read_text(errors="replace")

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "worker log:\n" + "\n".join(text.splitlines()[-lines:])

    def _signal(self, signum: int) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as the OOM killer or a host does."""
        if self.process:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)  # the group outlives its leader
            self.process.wait(timeout=10)

    def pause(self) -> None:
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal(signal.SIGCONT)


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def services_available(tmp_path_factory) -> Iterator[RedisServer]:
    """Session-wide and first: skip (or fail) before pytest-django builds any database."""
    if connection.vendor != "postgresql":
        unavailable(f"DATABASE_URL is {connection.vendor}, not PostgreSQL")
    import psycopg

    params = connection.settings_dict
    try:
        psycopg.connect(
            host=params["HOST"] or "127.0.0.1",
            port=params["PORT"] or 5432,
            user=params["USER"],
            password=params["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as exc:
        unavailable(f"PostgreSQL is unreachable: {exc}")
    if not shutil.which("redis-server"):
        unavailable("redis-server is not installed")
    redis_server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        redis_server.start()
    except (RuntimeError, OSError) as exc:
        unavailable(f"Redis could not be started: {exc}")
    yield redis_server
    redis_server.kill()


def worker_database_url() -> str:
    params = connection.settings_dict
    user = quote(params["USER"] or "", safe="")
    password = f":{quote(params['PASSWORD'], safe='')}" if params["PASSWORD"] else ""
    host, port = params["HOST"] or "127.0.0.1", params["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


def _reset_producers() -> None:
    """Close every pooled broker connection and let the app build its pools again (Celery has
    no public call for this; these are the attributes Celery's own after-fork hook resets)."""
    kombu.pools.reset()
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:  # the producer pool hangs off the (cached) amqp
        celery_app.amqp._producer_pool = None


@contextmanager
def celery_publishing_to(url: str) -> Iterator[None]:
    """Point this process's Celery app (dispatch and sweep publish with it) at `url`."""
    conf = celery_app.conf
    old = conf.broker_url, conf.broker_write_url, conf.broker_transport_options
    # Celery reads CELERY_BROKER_URL from the environment before its own settings (.ci/run sets
    # it), so that has to point at the test's Redis too.
    old_env = os.environ.get("CELERY_BROKER_URL")
    _reset_producers()
    os.environ["CELERY_BROKER_URL"] = url
    conf.broker_url, conf.broker_write_url, conf.broker_transport_options = url, None, {}
    try:
        yield
    finally:
        _reset_producers()
        if old_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = old_env
        conf.broker_url, conf.broker_write_url, conf.broker_transport_options = old


class Pipeline:
    """What one test drives: its Redis, its SMS folder, its workers, and the checks on them."""

    def __init__(self, redis_server: RedisServer, folder: Path) -> None:
        self.redis = redis_server
        self.folder = folder
        self.sms_dir = folder / "sms"
        self.sms_dir.mkdir()
        self.workers: list[Worker] = []

    def worker(
        self,
        *,
        delay: float = 0.0,
        holds: dict[int, str] | None = None,
        pool: str = "prefork",
        concurrency: int = 2,
        extra_env: dict[str, str] | None = None,
    ) -> Worker:
        env = {
            **os.environ,
            "PYTHONPATH": str(BASE_DIR),
            "DJANGO_SETTINGS_MODULE": "sendflow.settings",
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": self.redis.url,
            "SMS_BACKEND": "tests.integration.fake_provider.ControlledFileSMSBackend",
            "SMS_FILE_PATH": str(self.sms_dir),
            "FAKE_SMS_DELAY_SECONDS": str(delay),
            "FAKE_SMS_HOLD": ",".join(f"{ref}:{when}" for ref, when in (holds or {}).items()),
            "FAKE_SMS_HOLD_SECONDS": str(WAIT_SECONDS / 2),
            # The worker runs on the real clock: no quiet hours (an empty span holds nothing).
            "SENDFLOW_QUIET_HOURS": "00:00-00:00",
            # As in this process: its sweeper judges a "sending" row stuck by the time limit.
            "SENDFLOW_SEND_CHUNK": str(settings.SENDFLOW_SEND_CHUNK),
            "CELERY_TASK_TIME_LIMIT": str(settings.CELERY_TASK_TIME_LIMIT),
            "CELERY_TASK_SOFT_TIME_LIMIT": str(settings.CELERY_TASK_SOFT_TIME_LIMIT),
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        log = self.folder / f"worker-{len(self.workers) + 1}.log"
        args = [
            "--loglevel",
            "INFO",
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        worker = Worker(env, log, args)
        self.workers.append(worker)
        return worker.start()

    def holder(self, message_id: int) -> int:
        """The pid of the pool process holding this message's send."""
        return int((self.sms_dir / f"held-{message_id}").read_text())

    def release(self, *message_ids: int) -> None:
        """Let held sends go on."""
        for message_id in message_ids:
            (self.sms_dir / f"release-{message_id}").touch()

    def wait_until_held(self, holds: dict[int, str], ids: list[int]) -> None:
        """Until each held send has stopped where asked: "sending", with or without a file."""

        def held() -> bool:
            sends = self.sends()
            return self.in_flight(ids) >= set(holds) and all(
                (self.sms_dir / f"held-{ref}").exists() and (str(ref) in sends) == (when == "after")
                for ref, when in holds.items()
            )

        wait_for(held, what=f"the sends held at {holds}", explain=self.explain(ids))

    # --- reading the outcome ---

    def statuses(self, ids: list[int]) -> Counter[str]:
        return Counter(OutboundMessage.objects.filter(id__in=ids).values_list("status", flat=True))

    def ids_with_status(self, ids: list[int], status: str) -> set[int]:
        return set(
            OutboundMessage.objects.filter(id__in=ids, status=status).values_list("id", flat=True)
        )

    def explain(self, ids: list[int]) -> Callable[[], str]:
        def explanation() -> str:
            logs = "\n".join(worker.tail(15) for worker in self.workers)
            return (
                f"statuses: {dict(self.statuses(ids))}; broker holds "
                f"{self.redis.queued_tasks()} tasks\n{logs}"
            )

        return explanation

    def wait_until_final(self, ids: list[int]) -> None:
        wait_for(
            lambda: (
                not OutboundMessage.objects.filter(id__in=ids).exclude(status__in=FINAL).exists()
            ),
            what=f"all {len(ids)} messages to reach a final state",
            explain=self.explain(ids),
        )

    def sends(self) -> dict[str, list[str]]:
        return file_sends(self.sms_dir)

    def assert_sent_once_each(self, ids: list[int]) -> None:
        """Every message sent, each exactly once at the provider, and the row names that send."""
        assert self.statuses(ids) == Counter({Status.SENT: len(ids)})
        sends = self.sends()
        twice = {ref: got for ref, got in sends.items() if len(got) > 1}
        assert not twice, f"sent more than once: {twice}"
        assert set(sends) == {str(i) for i in ids}
        recorded = dict(OutboundMessage.objects.filter(id__in=ids).values_list("id", "provider_id"))
        assert {str(i): recorded[i] for i in ids} == {ref: got[0] for ref, got in sends.items()}

    @contextmanager
    def quiet(self, worker: Worker, *, stuck: set[int], ids: list[int]) -> Iterator[None]:
        """Hold `worker` still while no send of its is in flight (only `stuck` rows are sending).

        The sweeper below is called with a clock minutes ahead, so a send in flight on the real
        clock would look stuck to it; in production the task time limit guarantees it is not.
        """

        def still_with_nothing_in_flight() -> bool:
            if self.in_flight(ids) - stuck or self.redis.queued_tasks():
                return False
            worker.pause()
            if self.in_flight(ids) - stuck:  # it claimed one just before the pause
                worker.resume()
                return False
            return True

        wait_for(
            still_with_nothing_in_flight,
            what="the worker to finish what the broker held",
            explain=self.explain(ids),
        )
        try:
            yield
        finally:
            worker.resume()

    def in_flight(self, ids: list[int]) -> set[int]:
        return self.ids_with_status(ids, Status.SENDING)

    def close(self) -> None:
        # Workers are disposable: killing them is quicker than a warm shutdown, and what they
        # leave in Redis is flushed before the next test.
        for worker in self.workers:
            worker.kill()


@pytest.fixture
def pipeline(services_available, transactional_db, settings, tmp_path) -> Iterator[Pipeline]:
    redis_server = services_available
    if redis_server.process.poll() is not None:  # a test before killed it and failed
        redis_server.start()
    redis_server.client().flushall()
    line = Pipeline(redis_server, tmp_path)
    # This process dispatches and sweeps: it publishes to our Redis and reconciles against the
    # same SMS folder the worker writes to.
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(line.sms_dir)
    services._backend.cache_clear()  # built once per SMS_BACKEND name: rebuild for this folder
    with celery_publishing_to(redis_server.url):
        try:
            yield line
        finally:
            line.close()  # before pytest-django truncates the tables the workers use
            services._backend.cache_clear()


def later_than_every_limit(now: datetime | None = None) -> datetime:
    """A sweeper clock past the task time limit and the stale-queued age."""
    now = now or timezone.now()
    stale = max(settings.SENDFLOW_QUEUED_STALE_SECONDS, settings.CELERY_TASK_TIME_LIMIT + 30)
    return now + timedelta(seconds=stale + 60)


def due_test_messages(count: int, *, now: datetime | None = None, **fields) -> list[int]:
    """`count` due SMS of kind "test" (fixed `to` and `body`), committed; their ids in order.
    `fields` override any of those (channel="email", to=...)."""
    now = now or timezone.now()
    case = CaseFactory()
    contact = ContactFactory(case=case)
    rows = [
        OutboundMessage(
            case=case,
            contact=contact,
            **{
                "kind": OutboundMessage.Kind.TEST,
                "channel": "sms",
                "to": f"+4474001{i:05d}",
                "body": f"sendflow integration test {i}",
                "send_at": now - timedelta(minutes=1) + timedelta(microseconds=i),
                **fields,
            },
        )
        for i in range(count)
    ]
    return [row.id for row in OutboundMessage.objects.bulk_create(rows, batch_size=1000)]
