from lists.models import List, Subscription


def test_it_subscribes_an_email_once_whatever_its_case(newsletter):
    newsletter.subscribe("Ada@Example.test")
    newsletter.subscribe(" ada@example.TEST ")
    assert list(Subscription.objects.values_list("list", "email")) == [(newsletter.pk, "ada@example.test")]


def test_it_keeps_subscriptions_per_list(newsletter, account):
    other = List.objects.create(account=account, name="Other")
    newsletter.subscribe("ada@example.test")
    other.subscribe("ada@example.test")
    assert Subscription.objects.count() == 2


def test_it_finds_the_lists_of_one_account(newsletter, their_list, account):
    assert list(List.objects.for_account(account)) == [newsletter]
