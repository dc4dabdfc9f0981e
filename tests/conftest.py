import pytest
from hypothesis import settings as hypothesis_settings

from tests.factories import CaseFactory, ContactFactory, SuperuserFactory, SupervisorFactory

# Properties are about dates, not speed: a shared 2-core machine can take more than hypothesis's
# 200 ms per example, and a benchmark script, not a test, measures speed.
hypothesis_settings.register_profile("sendflow", deadline=None)
hypothesis_settings.load_profile("sendflow")


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
