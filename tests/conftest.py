import asyncio
import functools
import os
import threading
import uuid

import pytest
from asgiref.sync import SyncToAsync
from django.db import connections

from cxhub.celery import app
from cxhub.org.roles import Role

from .factories import DepartmentFactory, UserFactory

# Without CELERY_BROKER_URL the broker is a folder of files with no worker reading it during tests:
# run tasks in-process. With a broker (CI's Redis) tasks go to real workers, as in production.
if not os.environ.get("CELERY_BROKER_URL"):
    app.conf.task_always_eager = True


@pytest.fixture
def tasks_in_process():
    """Tasks run in-process whatever the broker, for tests that check what a job produced (an export);
    the round trip through Redis to a real worker is tests/cxhub/test_celery.py."""
    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 costs ~0.3 s a hash; the tests check behaviour, not hashing strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Each test counts its rate limits (logins, tokens, share links) afresh: with Redis the cache
    outlives a test's transaction, so every test gets its own key prefix."""
    default = settings.CACHES["default"]
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture
def cx_lead(db):
    return UserFactory(username="lead", roles=[Role.CX_LEAD])


@pytest.fixture
def executive(db):
    return UserFactory(username="exec", roles=[Role.EXECUTIVE])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", roles=[Role.ADMIN], is_staff=True, is_superuser=True)


@pytest.fixture
def head(db):
    user = UserFactory(username="head-cc", roles=[Role.DEPARTMENT_HEAD])
    DepartmentFactory(name="Contact centre", slug="contact-centre", head=user)
    return user


@pytest.fixture
def department(head):
    return head.headed_departments.get()


@pytest.fixture
def other_department(db):
    other_head = UserFactory(username="head-cards", roles=[Role.DEPARTMENT_HEAD])
    return DepartmentFactory(name="Card services", slug="cards", head=other_head)


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="newcomer")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The suite never runs collectstatic, so the manifest storage used with DEBUG off has no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded files (imports, attachments) go to the test's own folder, never to var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


def in_own_event_loop(test):
    """Run an async test (a socket's) in a thread with an event loop of its own: in a whole-suite run,
    Playwright's sync API (the browser tests) keeps a loop running in the main thread for the session."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        outcome: dict = {}

        def target() -> None:
            try:
                outcome["value"] = asyncio.run(test(*args, **kwargs))
            except BaseException as error:  # re-raised in the test's own thread
                outcome["error"] = error
            finally:
                # The sync code the test awaited ran in asgiref's thread for it: close its connections
                # there (and here), or the test database cannot be dropped at the end of the run.
                SyncToAsync.single_thread_executor.submit(connections.close_all).result()
                connections.close_all()

        thread = threading.Thread(target=target, name=f"async-{getattr(test, '__name__', 'test')}")
        thread.start()
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    return run
