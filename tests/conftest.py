import pytest
from hypothesis import settings as hypothesis_settings

from tests.factories import SuperuserFactory, SupervisorFactory

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
        # Where dispatch and the sweeper look it up, and the name tasks call it by.
        monkeypatch.setattr("notifications.dispatch.enqueue_sends", published.extend)
        monkeypatch.setattr("notifications.services.enqueue_sends", published.extend)
    return published


@pytest.fixture(autouse=True)
def _clear_backend_cache():
    from notifications import services

    services._backend.cache_clear()
    yield
    services._backend.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The login and link throttles count in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
