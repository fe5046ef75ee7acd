import factory
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
