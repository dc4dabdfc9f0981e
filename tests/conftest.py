import pytest

from tests import hypothesis_profiles
from tests.factories import CaseFactory, ContactFactory, SuperuserFactory, SupervisorFactory

hypothesis_profiles.load()  # before any test module asks for its number of examples

# `make test-integration` runs these alone, without pytest-xdist. Run under `-n N --dist
# loadgroup` all the same, they go to one worker in one group: they start their own redis-server
# and celery workers against that worker's PostgreSQL test database, and no two workers may share
# a broker or a worker pool. (The browser tests need no group: each worker starts its own
# Chromium against its own live server.)
SERIAL_GROUPS = ("integration",)


def _kind(item) -> int:
    """Django's order: 0 in a rolled-back transaction, 1 transactional, 2 no database."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if "transactional_db" in fixtures or "live_server" in fixtures:
        return 1
    if marker is not None:
        return 1 if marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences") else 0
    return 0 if "db" in fixtures else 2


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(items):
    """Group the serial tests, then, once pytest-randomly has shuffled, put the order back in
    Django's three runs (shuffled within each): database tests in a rolled-back transaction,
    then the transactional ones (live server, browser, integration), then those without a
    database. A transactional test ends by flushing every table, including the rows the data
    migrations made (the roles, the reminder policies, content types), so a rolled-back test
    after it would find none; Django's own runner, and its --shuffle, keep this order too.

    Each serial group goes as one unit to one worker, placed where its first test stands: so a
    group's tests go after every other rolled-back test (its own rolled-back ones first), and
    no worker is handed a rolled-back test after it has run a flush.

    A wrapper registered after pytest-randomly's, so it runs around it: the groups are marked
    before xdist reads them, the order is settled after the shuffle."""
    groups = {}
    for item in items:
        for group in SERIAL_GROUPS:
            if item.get_closest_marker(group) is not None:
                groups[item] = group
                item.add_marker(pytest.mark.xdist_group(group))
    result = yield

    def order(item):
        kind = _kind(item)
        if item in groups:
            return (1, groups[item], kind)
        return (0 if kind == 0 else 2, "", kind)

    items.sort(key=order)  # stable: the shuffle within each kind stays
    return result


@pytest.fixture(autouse=True, scope="session")
def _quick_password_hashing():
    """Django's own advice for tests: PBKDF2's million rounds cost most of a second a password,
    and the logins, the one-time links and demo_data's advisers would spend seconds on them.
    What is tested is the login, not the hash. (override_settings tells the hasher cache.)"""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def adviser(db):
    """The person using the admin in most tests: a supervisor, who sees every case. The
    adviser role's narrower view is tested in tests/governance."""
    return SupervisorFactory()


@pytest.fixture
def admin_client_logged_in(client, adviser):
    client.force_login(adviser)
    return client


@pytest.fixture
def superuser_client(client, db):
    client.force_login(SuperuserFactory())
    return client


@pytest.fixture(autouse=True)
def enqueued(request, monkeypatch):
    """Unit tests record the message ids that would go to the broker instead of publishing."""
    published: list[int] = []
    if request.node.get_closest_marker("integration") is None:
        # Where dispatch and the sweeper look it up, and the name tasks call it by.
        monkeypatch.setattr("notifications.dispatch.enqueue_sends", published.extend)
        monkeypatch.setattr("notifications.services.enqueue_sends", published.extend)
    return published


@pytest.fixture(autouse=True)
def _clear_backend_cache():
    """Backends are cached per SMS_BACKEND, and locmem's outbox is a module-level list: neither
    may carry one test's settings or texts into the next, whatever the order."""
    from notifications import services
    from notifications.backends import locmem

    services._backend.cache_clear()
    locmem.outbox.clear()
    yield
    services._backend.cache_clear()
    locmem.outbox.clear()


@pytest.fixture
def locmem_sends(settings):
    """Texts to `notifications.backends.locmem.outbox` (emails go to `mail.outbox` as in every
    test), links to the service's public address, and the usual quiet hours."""
    from notifications.backends import locmem

    settings.SMS_BACKEND = "locmem"
    settings.SENDFLOW_PUBLIC_URL = "https://sendflow.example.org"
    settings.SENDFLOW_QUIET_HOURS = "20:00-09:00"
    return locmem.outbox


@pytest.fixture
def advice_service(settings):
    """The advice service the messages name, as a real one would fill it in."""
    settings.SENDFLOW_ADVICE_SERVICE_NAME = "Exampleshire SENDIASS"
    settings.SENDFLOW_ADVICE_SERVICE_PHONE = "01632 960123"


@pytest.fixture
def family(db):
    """A case with one parent, Amira Khan, on text and email."""
    case = CaseFactory(reference="SF-1")
    ContactFactory(case=case, name="Amira Khan", email="amira@example.com")
    return case


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The login and link throttles count in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
