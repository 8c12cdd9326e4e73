import pytest
from django.db import transaction
from django.utils import translation

from carepath.people.models import Role
from tests.factories import OrganisationFactory, TeamFactory, UserFactory


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """A transaction around a module's tests, rolled back after the last of them. Data that a
    module-scoped fixture makes in it (the demo data, say) is made once for all of them; each
    test's own changes are still rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language. A request by someone who chose Welsh leaves
    Welsh active in the thread that made it, for whichever test that thread runs next."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="Organisation A", slug="org-a")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name="Organisation B", slug="org-b")


@pytest.fixture
def team_a(org_a):
    return TeamFactory(organisation=org_a, name="Team A")


@pytest.fixture
def make_user(db):
    def make(organisation, *roles, **kwargs):
        return UserFactory(organisation=organisation, roles=list(roles), **kwargs)

    return make


@pytest.fixture
def admin_a(make_user, org_a):
    return make_user(org_a, Role.ADMINISTRATOR, username="admin.a")


@pytest.fixture
def admin_b(make_user, org_b):
    return make_user(org_b, Role.ADMINISTRATOR, username="admin.b")


@pytest.fixture
def manager_a(make_user, org_a):
    return make_user(org_a, Role.SERVICE_MANAGER, username="manager.a")


@pytest.fixture
def manager_b(make_user, org_b):
    return make_user(org_b, Role.SERVICE_MANAGER, username="manager.b")


@pytest.fixture
def celery_broker():
    """Point the Celery app at a real broker URL (tasks are published, not run in-process)."""
    from kombu import pools as kombu_pools

    from carepath.celery import app

    conf = app.conf
    saved = (conf.task_always_eager, conf.get("broker_write_url"))

    def reset_pools():
        # kombu builds its connection and producer pools from broker_url on first use.
        kombu_pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    def use(url: str):
        # broker_write_url, because Celery lets a CELERY_BROKER_URL variable beat broker_url.
        conf.task_always_eager, conf.broker_write_url = False, url
        reset_pools()
        return app

    yield use
    conf.task_always_eager, conf.broker_write_url = saved
    reset_pools()


@pytest.fixture
def team_b(org_a):
    return TeamFactory(organisation=org_a, name="Team B")


@pytest.fixture
def caseworker_a(make_user, org_a, team_a):
    return make_user(org_a, Role.CASEWORKER, username="worker.a", teams=[team_a])


@pytest.fixture
def caseworker_b(make_user, org_a, team_b):
    return make_user(org_a, Role.CASEWORKER, username="worker.b", teams=[team_b])
