import time

import factory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory

from accounts.models import Account, Membership, User
from accounts.roles import Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AccountFactory(DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = Role.MANAGER

    class Params:
        owner = factory.Trait(role=Role.OWNER)
        admin = factory.Trait(role=Role.ADMIN)
        manager = factory.Trait(role=Role.MANAGER)
        analyst = factory.Trait(role=Role.ANALYST)
        campaign_coordinator = factory.Trait(role=Role.CAMPAIGN_COORDINATOR)
        content_creator = factory.Trait(role=Role.CONTENT_CREATOR)
        support = factory.Trait(role=Role.SUPPORT)


class TOTPDeviceFactory(DjangoModelFactory):
    """A confirmed authenticator app; ``totp_now(device)`` gives its current code."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


def totp_now(device: TOTPDevice, offset_steps: int = 0) -> str:
    """Return the code the device's app shows now (or ``offset_steps`` steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def login_with_two_factor(client, user) -> TOTPDevice:
    """Log ``client`` in as ``user`` with a session verified by a second factor, as after the code step.

    Staff need this for the admin, and members of an account that requires two-factor log-in for its tabs.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDeviceFactory(user=user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def log_in(client, user) -> None:
    """Log in any persona: staff with the second factor the admin asks for, others with force_login."""
    if user.is_staff:
        login_with_two_factor(client, user)
    else:
        client.force_login(user)
