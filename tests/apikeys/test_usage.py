"""Usage at a glance: requests counted in the cache, folded into KeyUsage, drawn on the key page and list."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys import scopes, usage
from apikeys.models import KeyUsage, PrivateKey
from tests.api.helpers import call
from tests.apikeys.helpers import url
from tests.security.inline import assert_strict_csp


def stored(key) -> dict:
    return dict(KeyUsage.objects.filter(key=key).values_list("day", "requests"))


def waiting(key, day=None) -> int:
    return cache.get(usage.counter_key(key.pk, day or usage.today()), 0)


def test_it_counts_a_request_with_no_query(key, django_assert_num_queries):
    with django_assert_num_queries(0):
        for _ in range(3):
            usage.count(key.pk)
    assert waiting(key) == 3
    assert stored(key) == {}


def test_it_folds_the_count_when_last_use_is_written(client, issued):
    key, secret = issued
    for _ in range(5):
        assert call(client, "GET", "/api/key/", secret).status_code == 200
    # The first request wrote last_used_at and folded itself; the next four wait in the cache.
    assert stored(key) == {usage.today(): 1}
    assert waiting(key) == 4
    assert usage.per_day([key], 7)[key.pk].total == 5
    later = timezone.now() + timedelta(seconds=61)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert call(client, "GET", "/api/key/", secret).status_code == 200
    assert stored(key) == {later.date(): 6}
    assert waiting(key, later.date()) == 0


def test_it_adds_no_write_to_requests_within_the_minute(client, issued):
    key, secret = issued
    call(client, "GET", "/api/key/", secret)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(10):
            call(client, "GET", "/api/key/", secret)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"] * 10
    assert waiting(key) == 10


def test_it_adds_to_the_days_row_and_keeps_what_was_counted_after_the_read(key):
    for _ in range(3):
        usage.count(key.pk)
    assert usage.fold(key.pk) == 3
    real_decr = cache.decr

    def decr_after_a_concurrent_request(name, delta=1):
        usage.count(key.pk)  # a request counted between the read and the decrement
        return real_decr(name, delta)

    for _ in range(2):
        usage.count(key.pk)
    with mock.patch.object(cache, "decr", side_effect=decr_after_a_concurrent_request):
        assert usage.fold(key.pk) == 2
    assert stored(key) == {usage.today(): 5}
    assert waiting(key) == 1  # the concurrent request waits for the next fold
    assert usage.fold(key.pk) == 1
    assert stored(key) == {usage.today(): 6}


def test_it_folds_yesterdays_requests_made_before_midnight(key):
    today = usage.today()
    yesterday = today - timedelta(days=1)
    usage.count(key.pk, day=yesterday)
    usage.count(key.pk, day=yesterday)
    usage.count(key.pk)
    assert usage.fold(key.pk) == 3
    assert stored(key) == {yesterday: 2, today: 1}


def test_it_folds_nothing_when_nothing_waits(key, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert usage.fold(key.pk) == 0
    assert stored(key) == {}


def test_it_counts_each_key_on_its_own(account, owner, key):
    other, _ = PrivateKey.objects.issue(account, "Other", scopes.READ_ONLY, owner)
    usage.count(key.pk)
    usage.count(other.pk)
    usage.count(other.pk)
    usage.fold(other.pk)
    assert (stored(key), stored(other)) == ({}, {usage.today(): 2})
    series = usage.per_day([key, other], 7)
    assert (series[key.pk].total, series[other.pk].total) == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_it_drops_the_usage_of_a_key_deleted_meanwhile(account, owner):
    key, _ = PrivateKey.objects.issue(account, "Gone", scopes.READ_ONLY, owner)
    usage.count(key.pk)
    key_id = key.pk
    key.deactivate(by=owner)
    key.remove(by=owner)
    assert usage.fold(key_id) == 0
    assert not KeyUsage.objects.filter(key_id=key_id).exists()


def test_it_reads_the_last_days_oldest_first_with_gaps_as_zero(key):
    today = usage.today()
    KeyUsage.objects.create(key=key, day=today - timedelta(days=2), requests=7)
    KeyUsage.objects.create(key=key, day=today - timedelta(days=40), requests=99)  # outside the window
    usage.count(key.pk)
    series = usage.per_day([key], 30)[key.pk]
    assert len(series.days) == 30
    assert series.days[0][0] == today - timedelta(days=29) and series.days[-1] == (today, 1)
    assert series.days[-3] == (today - timedelta(days=2), 7)
    assert (series.total, series.peak, series.busiest_day) == (8, 7, today - timedelta(days=2))


def test_it_scales_bars_to_the_busiest_day():
    today = usage.today()
    series = usage.Series([(today - timedelta(days=2), 0), (today - timedelta(days=1), 1), (today, 100)])
    empty, small, tall = series.bars(width=30, height=50, gap=2)
    assert (empty.height, empty.y) == (0, 50)
    assert small.height == 1  # a day with requests always shows
    assert (tall.height, tall.y, tall.x, tall.width) == (50, 0, 21, 8)
    assert [bar.height for bar in usage.Series([(today, 0)]).bars(30, 50)] == [0]


def test_it_draws_thirty_days_on_the_key_page(owner_client, key):
    today = usage.today()
    KeyUsage.objects.create(key=key, day=today - timedelta(days=3), requests=40)
    KeyUsage.objects.create(key=key, day=today, requests=2)
    response = owner_client.get(url("detail", key))
    assert_strict_csp(response)
    html = response.content.decode()
    chart = html[html.index('<figure class="usage-chart">') : html.index("</details>")]
    assert chart.count('<rect class="usage-bar"') == 30
    assert 'role="img" aria-labelledby="usage-title usage-desc"' in chart
    assert '<title id="usage-title">Requests per day, last 30 days</title>' in chart
    busiest = (today - timedelta(days=3)).strftime("%-d %b")
    assert f"42 requests in all; the busiest day was {busiest} with 40." in chart
    assert f"{busiest}: 40 requests</title>" in chart
    # The text alternative: a table of every day, newest first.
    assert chart.count("<tr><td") == 30
    assert f'<time datetime="{today:%Y-%m-%d}">' in chart and '<td data-label="Requests">2</td>' in chart
    assert response.context["requests_by_day"].total == 42


def test_it_says_when_a_key_made_no_requests(owner_client, key):
    html = owner_client.get(url("detail", key)).content.decode()
    assert "No requests in the last 30 days." in html


def test_it_draws_a_seven_day_sparkline_per_active_key(owner_client, key, inactive_key):
    KeyUsage.objects.create(key=key, day=usage.today() - timedelta(days=1), requests=12)
    usage.count(key.pk)
    response = owner_client.get(url("list"))
    assert_strict_csp(response)
    html = response.content.decode()
    assert '<th scope="col">Last 7 days</th>' in html
    assert html.count('<svg class="sparkline-bars"') == 1  # inactive keys get none
    sparkline = html[html.index('<svg class="sparkline-bars"') : html.index("</svg>")]
    assert 'aria-label="13 requests in the last 7 days"' in sparkline
    assert sparkline.count('<rect class="usage-bar"') == 7


def test_it_reads_every_keys_usage_in_one_query(owner_client, account, owner, key):
    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(url("list")).status_code == 200
        return len(queries.captured_queries)

    one = list_queries()
    today = usage.today()
    for n in range(30):
        other, _ = PrivateKey.objects.issue(account, f"Key {n}", scopes.READ_ONLY, owner)
        KeyUsage.objects.create(key=other, day=today - timedelta(days=n % 7), requests=n + 1)
        usage.count(other.pk)
    assert list_queries() == one
    with CaptureQueriesContext(connection) as queries:
        owner_client.get(url("list"))
    assert sum("apikeys_keyusage" in q["sql"] for q in queries.captured_queries) == 1
