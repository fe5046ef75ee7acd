import pytest
from django.db import IntegrityError, transaction

from accounts.models import User


def test_it_stores_the_email_in_lower_case(db):
    user = User.objects.create_user("Jane.Doe@Example.TEST", "pw-0123456789")
    assert user.email == "jane.doe@example.test"


def test_it_refuses_an_email_differing_only_in_case(owner):
    # objects.create() skips the manager's lower-casing: the database constraint is what refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="OWNER@Acme.test")
    assert User.objects.filter(email__iexact="owner@acme.test").count() == 1


def test_it_finds_a_login_in_any_capitalisation(owner):
    assert User.objects.get_by_natural_key("Owner@ACME.test") == owner


def test_it_requires_an_email(db):
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user("", "pw-0123456789")
