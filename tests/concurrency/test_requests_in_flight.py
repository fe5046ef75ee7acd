"""A key deactivated while API requests are in flight is refused from the next request on.

Threads call the API through Django's test client, as fast as they can, while another thread deactivates
the key. A request that starts once the deactivation has committed must get 401; requests already in
flight may finish either way.
"""

from __future__ import annotations

import threading

from django.test import Client

from apikeys import scopes
from apikeys.models import PrivateKey
from tests.concurrency.helpers import RACES, TIMEOUT, in_threads

pytestmark = RACES

CALLERS = 4
CALLS_AFTER = 5  # each caller keeps calling this many times after the deactivation
MAX_CALLS = 500  # per caller: the test fails rather than loop forever


def test_it_refuses_the_key_from_the_first_request_after_deactivation(settings, account, owner):
    settings.API_AUTH_FAILURE_LIMIT = 10_000  # every refused call counts as a failure from 127.0.0.1
    key, secret = PrivateKey.objects.issue(account, "Warehouse", scopes.READ_ONLY, owner)
    warmed_up = threading.Semaphore(0)  # released once per successful call
    deactivated = threading.Event()  # set once the deactivation has committed

    def caller(barrier):
        client = Client()
        calls = []  # (started after the deactivation committed, status)
        barrier.wait()
        while sum(after for after, _ in calls) < CALLS_AFTER and len(calls) < MAX_CALLS:
            after = deactivated.is_set()
            status = client.get("/api/key/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code
            calls.append((after, status))
            if status == 200:
                warmed_up.release()
        return calls

    def deactivator(barrier):
        barrier.wait()
        for _ in range(CALLERS * 2):  # let every caller get going
            assert warmed_up.acquire(timeout=TIMEOUT)
        assert PrivateKey.objects.get(pk=key.pk).deactivate(by=owner, reason="Leaked")  # committed on return
        deactivated.set()

    *calls_by_caller, _ = in_threads(*[caller] * CALLERS, deactivator)

    calls = [call for calls in calls_by_caller for call in calls]
    assert {status for after, status in calls if not after} <= {200, 401}
    assert any(status == 200 for after, status in calls if not after)
    after = [status for after, status in calls if after]
    assert len(after) == CALLERS * CALLS_AFTER
    assert set(after) == {401}
