"""Two people deactivate the same key at the same moment: one deactivation, no error for either."""

from __future__ import annotations

from django.test import Client

from apikeys import scopes
from apikeys.models import KeyEvent, PrivateKey
from tests.concurrency.helpers import RACES, in_threads

pytestmark = RACES


def deactivated_events(key) -> int:
    return KeyEvent.objects.filter(key_public_id=key.public_id, action=KeyEvent.Action.DEACTIVATED).count()


def test_it_deactivates_once_when_two_threads_race(account, owner, admin):
    key, _ = PrivateKey.objects.issue(account, "Zapier", scopes.FULL_ACCESS, owner)

    def deactivate(by, reason):
        def run(barrier):
            mine = PrivateKey.objects.get(pk=key.pk)  # each thread holds its own copy, active when read
            barrier.wait()
            return mine.deactivate(by=by, reason=reason)

        return run

    results = in_threads(deactivate(owner, "first"), deactivate(admin, "second"))

    assert sorted(results) == [False, True]
    assert deactivated_events(key) == 1
    key.refresh_from_db()
    winner = owner if results[0] else admin
    assert not key.is_active and key.deactivated_by == winner
    assert key.deactivation_reason == ("first" if results[0] else "second")


def test_it_answers_both_clicks_when_two_people_deactivate_from_the_tab(account, owner, admin):
    key, _ = PrivateKey.objects.issue(account, "Zapier", scopes.FULL_ACCESS, owner)
    path = f"/settings/api-keys/{key.public_id}/deactivate/"

    def click(user):
        def run(barrier):
            client = Client()
            client.force_login(user)
            barrier.wait()
            return client.post(path, {"reason": "Leaked"}, follow=True)

        return run

    responses = in_threads(click(owner), click(admin))

    assert [r.redirect_chain[0] for r in responses] == [("/settings/api-keys/", 302)] * 2
    # Read from the HTML: the test client's captured context is global, so threads would mix theirs up.
    pages = [r.content.decode() for r in responses]
    label = f"“Zapier” (pk_…{key.hint})"
    for notice in (f"Deactivated {label}: it stops working", f"{label} was already inactive."):
        assert sum(notice in page for page in pages) == 1, notice
    assert deactivated_events(key) == 1
