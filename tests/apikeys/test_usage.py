"""Usage at a glance: requests counted in process, written to KeyUsage in batches, drawn on the pages."""

import logging
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError, connection
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
    day = day or usage.today()
    return usage.pending([key.pk], [day]).get((key.pk, day), (0, 0))[0]


def test_it_counts_a_request_with_no_query(key, django_assert_num_queries):
    with django_assert_num_queries(0):
        for _ in range(3):
            usage.count(key.pk)
    assert waiting(key) == 3
    assert stored(key) == {}


def test_it_counts_a_good_keys_requests_without_a_query_of_their_own(
    client, issued, django_assert_num_queries
):
    key, secret = issued
    call(client, "GET", "/api/key/", secret)  # the first request also writes last_used_at
    with django_assert_num_queries(10):  # the look-up, one per request
        for _ in range(10):
            assert call(client, "GET", "/api/key/", secret).status_code == 200
    assert waiting(key) == 11
    assert stored(key) == {}


def test_it_shows_usage_counted_then_flushed_on_the_key_page(owner_client, client, issued):
    key, secret = issued
    for _ in range(5):
        assert call(client, "GET", "/api/key/", secret).status_code == 200
    assert usage.flush() == 5
    assert (stored(key), waiting(key)) == ({usage.today(): 5}, 0)
    for _ in range(2):
        call(client, "GET", "/api/key/", secret)
    usage.flush()
    assert stored(key) == {usage.today(): 7}
    assert owner_client.get(url("detail", key)).context["requests_by_day"].total == 7


def test_it_writes_every_key_and_day_in_one_upsert(account, owner, key):
    other, _ = PrivateKey.objects.issue(account, "Other", scopes.READ_ONLY, owner)
    yesterday = usage.today() - timedelta(days=1)
    usage.count(key.pk, day=yesterday)
    usage.count(key.pk, day=yesterday)
    usage.count(key.pk)
    usage.count(other.pk)
    with CaptureQueriesContext(connection) as queries:
        assert usage.flush() == 4
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1 and statements[0].startswith("INSERT INTO")
    assert (stored(key), stored(other)) == ({yesterday: 2, usage.today(): 1}, {usage.today(): 1})


def test_it_adds_to_the_days_row(key):
    KeyUsage.objects.create(key=key, day=usage.today(), requests=40)
    usage.count(key.pk)
    usage.flush()
    assert stored(key) == {usage.today(): 41}


def test_it_flushes_nothing_when_nothing_waits(key, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert usage.flush() == 0
    assert stored(key) == {}


def test_it_keeps_the_counts_for_the_next_flush_when_the_database_refuses(key):
    usage.count(key.pk)
    with (
        mock.patch("apikeys.usage._add_rows", side_effect=DatabaseError("gone")),
        pytest.raises(DatabaseError),
    ):
        usage.flush()
    usage.count(key.pk)
    assert waiting(key) == 2
    assert usage.flush() == 2
    assert stored(key) == {usage.today(): 2}


def test_it_counts_each_key_on_its_own(account, owner, key):
    other, _ = PrivateKey.objects.issue(account, "Other", scopes.READ_ONLY, owner)
    usage.count(key.pk)
    usage.count(other.pk)
    usage.count(other.pk)
    series = usage.per_day([key, other], 7)  # what waits in memory counts on the pages too
    assert (series[key.pk].total, series[other.pk].total) == (1, 2)
    usage.flush()
    assert (stored(key), stored(other)) == ({usage.today(): 1}, {usage.today(): 2})


@pytest.mark.django_db(transaction=True)
def test_it_drops_the_usage_of_a_key_deleted_meanwhile_and_writes_the_rest(account, owner):
    gone, _ = PrivateKey.objects.issue(account, "Gone", scopes.READ_ONLY, owner)
    kept, _ = PrivateKey.objects.issue(account, "Kept", scopes.READ_ONLY, owner)
    usage.count(gone.pk)
    usage.count(kept.pk)
    gone_id = gone.pk
    gone.deactivate(by=owner)
    gone.remove(by=owner)
    assert usage.flush() == 1
    assert not KeyUsage.objects.filter(key_id=gone_id).exists()
    assert stored(kept) == {usage.today(): 1}


def test_it_flushes_in_a_thread_of_its_own_when_given_an_interval(key, settings, monkeypatch):
    flushed = threading.Event()
    monkeypatch.setattr(usage, "_flusher_pid", None)
    monkeypatch.setattr(usage, "_flush_quietly", flushed.set)
    monkeypatch.setattr(usage.atexit, "register", lambda function: None)
    settings.KEY_USAGE_FLUSH_SECONDS = 0.01
    usage.count(key.pk)
    try:
        assert flushed.wait(5)
    finally:
        usage.stop_flusher()


def test_it_logs_a_failed_background_flush_and_keeps_the_counts(key, caplog):
    usage.count(key.pk)
    with (
        mock.patch("apikeys.usage._add_rows", side_effect=DatabaseError("gone")),
        caplog.at_level(logging.WARNING),
    ):
        usage._flush_quietly()
    assert "Key usage not written yet (DatabaseError)" in caplog.text
    assert waiting(key) == 1


def test_it_reads_the_last_days_oldest_first_with_gaps_as_zero(key):
    today = usage.today()
    KeyUsage.objects.create(key=key, day=today - timedelta(days=2), requests=7)
    KeyUsage.objects.create(key=key, day=today - timedelta(days=40), requests=99)  # outside the window
    usage.count(key.pk)
    series = usage.per_day([key], 30)[key.pk]
    assert len(series.days) == 30
    assert series.days[0].day == today - timedelta(days=29) and series.days[-1] == (today, 1, 0)
    assert series.days[-3] == (today - timedelta(days=2), 7, 0)
    assert (series.total, series.peak, series.busiest_day) == (8, 7, today - timedelta(days=2))


def test_it_scales_bars_to_the_busiest_day():
    today = usage.today()
    series = usage.Series(
        [
            usage.Day(today - timedelta(days=2), 0),
            usage.Day(today - timedelta(days=1), 1),
            usage.Day(today, 100),
        ]
    )
    empty, small, tall = series.bars(width=30, height=50, gap=2)
    assert (empty.height, empty.y) == (0, 50)
    assert small.height == 1  # a day with requests always shows
    assert (tall.height, tall.y, tall.x, tall.width) == (50, 0, 21, 8)
    assert [bar.height for bar in usage.Series([usage.Day(today, 0)]).bars(30, 50)] == [0]


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


# Refused requests ------------------------------------------------------------------------------------------


def stored_with_refused(key) -> dict:
    return {
        day: (requests, refused)
        for day, requests, refused in KeyUsage.objects.filter(key=key).values_list(
            "day", "requests", "refused"
        )
    }


def test_it_writes_refusals_with_the_requests_in_one_upsert(account, owner, key):
    other, _ = PrivateKey.objects.issue(account, "Other", scopes.READ_ONLY, owner)
    KeyUsage.objects.create(key=key, day=usage.today(), requests=10, refused=1)
    for _ in range(3):
        usage.count(key.pk)
    usage.count_refusal(key.pk)
    usage.count(other.pk)
    usage.count_refusal(other.pk)
    with CaptureQueriesContext(connection) as queries:
        assert usage.flush() == 4  # requests written, refused ones among them
    assert len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]) == 1
    assert stored_with_refused(key) == {usage.today(): (13, 2)}
    assert stored_with_refused(other) == {usage.today(): (1, 1)}


def test_it_keeps_refusals_for_the_next_flush_when_the_database_refuses(key):
    usage.count(key.pk)
    usage.count_refusal(key.pk)
    with (
        mock.patch("apikeys.usage._add_rows", side_effect=DatabaseError("gone")),
        pytest.raises(DatabaseError),
    ):
        usage.flush()
    assert usage.pending([key.pk], [usage.today()]) == {(key.pk, usage.today()): (1, 1)}
    usage.flush()
    assert stored_with_refused(key) == {usage.today(): (1, 1)}


def test_it_reads_refusals_written_and_waiting(key):
    today = usage.today()
    KeyUsage.objects.create(key=key, day=today - timedelta(days=1), requests=9, refused=4)
    KeyUsage.objects.create(key=key, day=today, requests=5, refused=1)
    usage.count(key.pk)
    usage.count_refusal(key.pk)
    series = usage.per_day([key], 30)[key.pk]
    assert series.days[-2:] == [(today - timedelta(days=1), 9, 4), (today, 6, 2)]
    assert (series.total, series.refused, series.peak) == (15, 6, 9)


def test_it_stacks_refused_requests_above_the_served_ones():
    today = usage.today()
    series = usage.Series([usage.Day(today - timedelta(days=1), 100, 25), usage.Day(today, 50, 50)])
    mixed, all_refused = series.bars(width=20, height=40, gap=0)
    assert (mixed.y, mixed.height, mixed.refused_y, mixed.refused_height) == (10, 30, 0, 10)
    assert (all_refused.height, all_refused.refused_y, all_refused.refused_height) == (0, 20, 20)
    one_in_many = usage.Series([usage.Day(today, 1000, 1)]).bars(width=10, height=40)[0]
    assert (one_in_many.refused_height, one_in_many.height) == (1, 39)  # a refusal always shows


def test_it_draws_refused_requests_on_the_key_page(owner_client, key):
    today = usage.today()
    KeyUsage.objects.create(key=key, day=today - timedelta(days=3), requests=40, refused=5)
    KeyUsage.objects.create(key=key, day=today, requests=2)
    response = owner_client.get(url("detail", key))
    assert_strict_csp(response)
    html = response.content.decode()
    chart = html[html.index('<figure class="usage-chart">') : html.index("</details>")]
    assert chart.count('<rect class="usage-bar"') == 30 and chart.count('<rect class="usage-refused"') == 1
    day = (today - timedelta(days=3)).strftime("%-d %b")
    assert "42 requests in all, 5 of them refused; the busiest day was" in chart
    assert f"<title>{day}: 40 requests, 5 refused</title>" in chart
    assert (
        '42 requests in 30 days, <span class="usage-refused-total">5 refused</span>, at most 40 a day'
        in chart
    )
    assert '<th scope="col">Refused</th>' in chart
    assert '<td data-label="Requests">40</td><td data-label="Refused">5</td>' in chart
    assert '<td data-label="Requests">2</td><td data-label="Refused">0</td>' in chart


def test_it_says_nothing_of_refusals_when_there_were_none(owner_client, key):
    KeyUsage.objects.create(key=key, day=usage.today(), requests=3)
    html = owner_client.get(url("detail", key)).content.decode()
    assert "3 requests in all; the busiest" in html and "3 requests in 30 days, at most 3 a day" in html
    assert 'class="usage-refused' not in html and "Last refused" not in html


def test_it_takes_the_charts_sizes_from_python(owner_client, key, monkeypatch):
    monkeypatch.setattr(usage, "CHART_WIDTH", 600)
    monkeypatch.setattr(usage, "SPARK_HEIGHT", 20)
    assert 'viewBox="0 0 600 80"' in owner_client.get(url("detail", key)).content.decode()
    html = owner_client.get(url("list")).content.decode()
    assert 'viewBox="0 0 56 20" width="56" height="20"' in html and 'y1="20" x2="56" y2="20"' in html


def test_it_shows_refused_requests_in_the_sparkline(owner_client, key):
    KeyUsage.objects.create(key=key, day=usage.today(), requests=13, refused=2)
    html = owner_client.get(url("list")).content.decode()
    sparkline = html[html.index('<svg class="sparkline-bars"') : html.index("</svg>")]
    assert 'aria-label="13 requests in the last 7 days, 2 refused"' in sparkline
    assert sparkline.count('<rect class="usage-refused"') == 1


def test_it_says_when_and_why_the_key_was_last_refused(owner_client, key):
    key.record_refusal(PrivateKey.Refused.IP_NOT_ALLOWED, now=timezone.now() - timedelta(minutes=5))
    html = owner_client.get(url("detail", key)).content.decode()
    fact = html[html.index("<dt>Last refused</dt>") :]
    fact = fact[: fact.index("</dd>")]
    assert "5\xa0minutes ago</time> (403: from an address outside its IP allowlist)" in fact


def test_it_counts_a_refused_request_on_the_key_page_at_once(owner_client, client, issued, owner):
    key, secret = issued
    key.deactivate(by=owner)
    assert call(client, "GET", "/api/key/", secret).status_code == 401
    response = owner_client.get(url("detail", key))
    assert (response.context["requests_by_day"].total, response.context["requests_by_day"].refused) == (1, 1)
    assert "(401: the key was inactive)" in response.content.decode()
