import re

import pytest
from django.db import IntegrityError

from accounts import models
from accounts.models import Account
from tests.factories import AccountFactory, MembershipFactory


def test_it_gives_a_public_key_of_six_letters_and_digits(db):
    keys = {AccountFactory().public_key for _ in range(50)}
    assert len(keys) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9]{6}", key) for key in keys)


def test_it_keeps_the_public_key_on_save(account):
    key = account.public_key
    account.name = "Acme Renamed"
    account.save()
    account.refresh_from_db()
    assert account.public_key == key
    assert account.name == "Acme Renamed"


def test_it_draws_again_when_a_public_key_is_taken(account, monkeypatch):
    drawn = iter([account.public_key, account.public_key, "Zz9Zz9"])
    monkeypatch.setattr(models, "generate_public_key", lambda: next(drawn))
    assert AccountFactory().public_key == "Zz9Zz9"


def test_it_refuses_a_duplicate_public_key_in_the_database(account):
    with pytest.raises(IntegrityError):
        Account.objects.create(name="Copycat", public_key=account.public_key)


def test_it_lists_only_the_accounts_a_user_belongs_to(account, other_account, owner):
    MembershipFactory(account=other_account, user__email="someone@other.test")
    assert list(Account.objects.for_user(owner)) == [account]
