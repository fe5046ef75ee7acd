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
