"""Clones racing: two clones of one key make two distinct keys, each with its own secret; a clone racing a
delete of its original either finishes before the delete or answers 404, never a 500 or a key left pointing
at nothing.
"""

from __future__ import annotations

import re
import time

from django.db import connection, transaction
from django.test import Client

from apikeys import scopes, secrets
from apikeys.models import KeyEvent, PrivateKey
from apikeys.verification import verify
from tests.concurrency.helpers import RACES, TIMEOUT, in_threads

pytestmark = RACES

SECRET = re.compile(rf"{secrets.PREFIX}[0-9A-Za-z]{{{secrets.SECRET_LENGTH - len(secrets.PREFIX)}}}")


def test_it_makes_two_distinct_keys_when_two_threads_clone_at_once(account, owner, admin):
    key, secret = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)

    def clone(by):
        def run(barrier):
            mine = PrivateKey.objects.get(pk=key.pk)
            barrier.wait()
            return mine.clone(by=by)

        return run

    (first, first_secret), (second, second_secret) = in_threads(clone(owner), clone(admin))

    assert first.pk != second.pk and first.public_id != second.public_id
    assert len({secret, first_secret, second_secret}) == 3
    assert len({key.digest, first.digest, second.digest}) == 3
    for clone_, clone_secret in ((first, first_secret), (second, second_secret)):
        assert secrets.is_well_formed(clone_secret)
        assert verify(clone_secret) == clone_
        assert clone_.name == "Zapier" and clone_.scopes == key.scopes and clone_.cloned_from == key
    assert PrivateKey.objects.filter(account=account).count() == 3
    # Each clone is recorded twice: on the new key, and on the key it was cloned from.
    assert KeyEvent.objects.filter(action=KeyEvent.Action.CLONED).count() == 4


def test_it_reveals_two_different_keys_when_two_people_clone_from_the_tab(account, owner, admin):
    key, _ = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    path = f"/settings/api-keys/{key.public_id}/clone/"

    def click(user):
        def run(barrier):
            client = Client()
            client.force_login(user)
            barrier.wait()
            response = client.post(path, {"name": "Zapier (copy)"})
            reveal = client.get(response["Location"])
            # From the HTML: the test client's captured context is global, so threads would mix theirs up.
            return response["Location"], set(SECRET.findall(reveal.content.decode()))

        return run

    (first_url, first_secret), (second_url, second_secret) = in_threads(click(owner), click(admin))

    assert first_url != second_url
    assert len(first_secret) == len(second_secret) == 1 and first_secret != second_secret
    assert PrivateKey.objects.filter(account=account, cloned_from=key).count() == 2


def path(key, verb: str) -> str:
    return f"/settings/api-keys/{key.public_id}/{verb}/"


def wait_for_a_lock_waiter() -> None:
    """Return once another connection waits for a lock: the racing thread has reached the locked row."""
    deadline = time.monotonic() + TIMEOUT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the other thread never waited for the lock")


def cloned_events() -> int:
    return KeyEvent.objects.filter(action=KeyEvent.Action.CLONED).count()


def test_it_never_leaves_an_orphan_when_a_clone_races_a_delete(account, owner, admin):
    key, _ = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    key.deactivate(by=owner)

    def clone(barrier):
        mine = PrivateKey.objects.get(pk=key.pk)
        barrier.wait()
        try:
            return mine.clone(by=owner)[0]
        except PrivateKey.DoesNotExist:
            return None

    def delete(barrier):
        mine = PrivateKey.objects.get(pk=key.pk)
        barrier.wait()
        mine.remove(by=admin)

    new_key, _ = in_threads(clone, delete)

    assert not PrivateKey.objects.filter(pk=key.pk).exists()
    if new_key is None:  # the delete went first
        assert not PrivateKey.objects.exists() and cloned_events() == 0
    else:  # the clone went first; the delete then unlinked it
        assert list(PrivateKey.objects.values_list("pk", "cloned_from")) == [(new_key.pk, None)]
        assert cloned_events() == 2


def test_it_answers_404_to_a_clone_that_waited_for_a_delete(account, owner, admin):
    key, _ = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    key.deactivate(by=owner)

    def click_clone(barrier):
        client = Client()
        client.force_login(owner)
        barrier.wait()
        return client.post(path(key, "clone"), {"name": "Copy"}).status_code

    def delete_holding_the_lock(barrier):
        with transaction.atomic():
            mine = PrivateKey.objects.select_for_update().get(pk=key.pk)
            barrier.wait()
            wait_for_a_lock_waiter()  # the clone has looked the key up and waits for its lock
            mine.remove(by=admin)

    status, _ = in_threads(click_clone, delete_holding_the_lock)

    assert status == 404
    assert not PrivateKey.objects.exists() and cloned_events() == 0


def test_it_deletes_the_original_after_a_clone_that_held_it(account, owner, admin):
    key, _ = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    key.deactivate(by=owner)

    def clone_holding_the_lock(barrier):
        with transaction.atomic():
            mine = PrivateKey.objects.select_for_update().get(pk=key.pk)
            new_key, _ = mine.clone(by=owner)
            barrier.wait()
            wait_for_a_lock_waiter()  # the delete waits for the clone to commit
        return new_key

    def click_delete(barrier):
        client = Client()
        client.force_login(admin)
        barrier.wait()
        return client.post(path(key, "delete"))

    new_key, response = in_threads(clone_holding_the_lock, click_delete)

    assert response.status_code == 302 and response["Location"] == "/settings/api-keys/"
    assert list(PrivateKey.objects.values_list("pk", "cloned_from")) == [(new_key.pk, None)]
    assert PrivateKey.objects.get().is_active and cloned_events() == 2
