import pytest

from tests.factories import AdviserFactory


@pytest.fixture
def adviser(db):
    return AdviserFactory()


@pytest.fixture
def admin_client_logged_in(client, adviser):
    client.force_login(adviser)
    return client
