from datetime import timedelta

from django.utils import timezone

from apikeys.templatetags.apikeys import ago


def test_it_says_just_now_within_a_minute():
    assert ago(timezone.now() - timedelta(seconds=20)) == "just now"


def test_it_says_the_largest_unit_ago():
    assert ago(timezone.now() - timedelta(hours=3, minutes=5)) == "3\xa0hours ago"


def test_it_says_future_times_in_words():
    assert ago(timezone.now() + timedelta(days=2, hours=1)) == "in 2\xa0days"


def test_it_renders_nothing_for_no_time():
    assert ago(None) == ""


def test_it_rounds_future_times_to_the_unit_of_the_choices():
    now = timezone.now()
    assert ago(now + timedelta(days=7) - timedelta(seconds=5)) == "in 7\xa0days"
    assert ago(now + timedelta(days=90) - timedelta(seconds=5)) == "in 90\xa0days"
    assert ago(now + timedelta(hours=24) - timedelta(seconds=5)) == "in 24\xa0hours"
    assert ago(now + timedelta(hours=1) - timedelta(seconds=5)) == "in 1\xa0hour"
    assert ago(now + timedelta(minutes=10, seconds=-5)) == "in 10\xa0minutes"
