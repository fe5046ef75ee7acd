"""Two clones of one key at the same moment: two distinct keys, each with its own secret."""

from __future__ import annotations

import re

from django.test import Client

from apikeys import scopes, secrets
from apikeys.models import KeyEvent, PrivateKey
from tests.concurrency.helpers import RACES, in_threads

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
        assert PrivateKey.objects.verify(clone_secret) == clone_
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
            response = client.post(path)
            reveal = client.get(response["Location"])
            # From the HTML: the test client's captured context is global, so threads would mix theirs up.
            return response["Location"], set(SECRET.findall(reveal.content.decode()))

        return run

    (first_url, first_secret), (second_url, second_secret) = in_threads(click(owner), click(admin))

    assert first_url != second_url
    assert len(first_secret) == len(second_secret) == 1 and first_secret != second_secret
    assert PrivateKey.objects.filter(account=account, cloned_from=key).count() == 2
