"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright cannot download a browser of its own here, so the tests launch /usr/bin/chromium
(`.ci/run` installs it). Without it they skip, unless SENDFLOW_REQUIRE_SERVICES=1 (set by
.ci/run), where they fail. One browser for the session; a fresh context (cookies, viewport) for
every page a test opens.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def unavailable(reason: str) -> None:
    if os.environ.get("SENDFLOW_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (SENDFLOW_REQUIRE_SERVICES=1: browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser(django_db_setup, django_db_blocker) -> Iterator[object]:
    """Chromium for the tests of this folder, started after the test database exists.

    Playwright's sync API keeps an event loop running in this thread while it is open, and Django
    refuses ORM calls from a thread with a running loop; the tests' queries are synchronous all the
    same, so they are allowed until the browser closes, at the end of this folder's tests.
    """
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("Playwright is not installed: pip install -r requirements-dev.txt")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        except Error as exc:
            unavailable(f"{CHROMIUM} would not start: {exc}")
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _rows_the_migrations_made(request):
    """Every transactional test here starts with the roles and reminder policies the data
    migrations make, whichever test ran before it: a transactional test ends by flushing every
    table, so in a shuffled order one that needs the roles (demo_data's advisers) could follow
    one that emptied them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group

    from notifications.models import ReminderPolicy

    with_permissions = Group.objects.filter(permissions__isnull=False)
    if set(with_permissions.values_list("name", flat=True)) != {"Adviser", "Supervisor"}:
        roles_restore()
    if not ReminderPolicy.objects.exists():
        policies_restore()


@dataclass
class Visit:
    """One page opened in its own browser context, with what went wrong while it loaded."""

    page: object
    status: int
    problems: list[str] = field(default_factory=list)
    fonts: list[str] = field(default_factory=list)

    def axe_violations(self) -> list[str]:
        """Run axe-core in the page; one line per violation (any impact), with where."""
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
        # does not govern: the policy stays on, so a violation of our own still shows.
        self.page.evaluate(AXE.read_text())
        violations = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"])
            for v in violations
        ]

    def scrolls_sideways(self) -> bool:
        return self.page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def visit(browser, live_server) -> Iterator[Callable[..., Visit]]:
    """Open a path of the live server at a width: `visit("/f/abc/", width=375)`."""
    contexts = []

    def open_page(path: str, *, width: int = 375, javascript: bool = True) -> Visit:
        context = browser.new_context(
            viewport={"width": width, "height": 800}, java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        problems: list[str] = []
        fonts: list[str] = []
        page.on(
            "console",
            lambda m: (
                m.type == "error"
                # A failed load is reported below with its URL (the 404 page's own is expected).
                and not m.text.startswith("Failed to load resource")
                and problems.append(f"console: {m.text}")
            ),
        )
        page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
        page.on(
            "requestfailed",
            lambda r: (
                # A load the browser itself abandoned (the test moved on) is not the page's fault.
                "ERR_ABORTED" not in (r.failure or "")
                and problems.append(f"request failed: {r.url} ({r.failure})")
            ),
        )
        page.on(
            "response",
            lambda r: (
                r.request.resource_type != "document"
                and r.status >= 400
                and problems.append(f"{r.status} for {r.url}")
            ),
        )
        page.on("request", lambda r: r.resource_type == "font" and fonts.append(r.url))
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        return Visit(page=page, status=response.status, problems=problems, fonts=fonts)

    yield open_page
    for context in contexts:
        context.close()


def roles_restore() -> None:
    """The Adviser and Supervisor groups and their permissions, as their migrations make them:
    a transactional test's flush empties every table, groups too. The migrations' own code runs
    against the live app registry here, so what it changes there (each app's `models_module`,
    set to None after making permissions) is put back: left at None, the next flush's
    post_migrate makes no content types, and every later audit entry fails its foreign key."""
    import importlib

    from django.apps import apps

    from tests.moved_models import today_label

    modules = {config.label: config.models_module for config in apps.get_app_configs()}
    try:
        for name, step in (
            ("0002_adviser_and_supervisor_groups", "create"),
            ("0004_family_dates_and_councils", "grant"),
            ("0005_given_dates", "grant"),
        ):
            migration = importlib.import_module(f"governance.migrations.{name}")
            if hasattr(migration, "GROUPS"):  # it names the models where they lived then
                then = migration.GROUPS
                migration.GROUPS = {
                    group: [(today_label(app, model), model, acts) for app, model, acts in grants]
                    for group, grants in then.items()
                }
                try:
                    getattr(migration, step)(apps, None)
                finally:
                    migration.GROUPS = then
            else:
                getattr(migration, step)(apps, None)
    finally:
        for config in apps.get_app_configs():
            config.models_module = modules[config.label]


def policies_restore() -> None:
    """The default reminder policies as notifications' data migrations leave them (a flush
    empties them too, and without policies the planner plans no message: a case page after
    another browser test showed "No messages yet"). Rebuilt from those migrations' tables, not
    their code: their code names fields that later migrations removed."""
    import importlib

    from notifications.models import ReminderPolicy

    def migration(name):
        return importlib.import_module(f"notifications.migrations.{name}")

    first, given = (
        migration("0002_defaults_and_beat_schedule"),
        migration("0010_given_date_policies"),
    )
    defaults = dict.fromkeys(first.PARENT_DEADLINES, ("countdown", first.COUNTDOWN))
    defaults |= dict.fromkeys(first.CHECKS, ("check", ""))
    # 0005: the reply to a complaint is a check, and so is the final reply.
    defaults |= {"complaint_response": ("check", ""), "complaint_stage2_response": ("check", "")}
    defaults |= given.DEFAULTS
    for kind, (style, offsets) in defaults.items():
        ReminderPolicy.objects.get_or_create(
            deadline_kind=kind, defaults={"style": style, "offsets": offsets}
        )
