"""The account's activity page: every event, filtered by key, action and person, paginated, and as CSV."""

from __future__ import annotations

import csv
import io

from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from apikeys import scopes
from apikeys.models import KeyEvent, PrivateKey
from apikeys.views import ACTIVITY_PAGE_SIZE
from tests.apikeys.helpers import url


def shown(response) -> list[tuple[str, str]]:
    return [(event.key_name, event.action) for event in response.context["events"]]


def csv_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_it_lists_every_event_of_the_account_newest_first(owner_client, key, inactive_key, foreign_key):
    assert shown(owner_client.get(url("activity"))) == [
        ("Old warehouse sync", "deactivated"),
        ("Old warehouse sync", "created"),
        ("Zapier", "created"),
    ]


def test_it_keeps_the_history_of_a_deleted_key_reachable(owner_client, inactive_key, owner):
    public_id, hint = inactive_key.public_id, inactive_key.hint
    inactive_key.remove(by=owner)
    response = owner_client.get(url("activity"), {"key": str(public_id)})
    assert [action for _, action in shown(response)] == ["deleted", "deactivated", "created"]
    option = f'<option value="{public_id}" selected>Old warehouse sync (…{hint})</option>'
    assert option in response.content.decode()


def test_it_filters_by_action_and_by_person(owner_client, key, inactive_key, admin):
    key.rename("Zapier EU", by=admin)
    assert shown(owner_client.get(url("activity"), {"action": "renamed"})) == [("Zapier EU", "renamed")]
    assert shown(owner_client.get(url("activity"), {"actor": admin.email})) == [("Zapier EU", "renamed")]


def test_it_ignores_an_unknown_filter_value_and_says_so(owner_client, key):
    response = owner_client.get(url("activity"), {"action": "exploded"})
    assert response.status_code == 200 and shown(response) == [("Zapier", "created")]
    assert "Select a valid choice." in response.content.decode()


def test_it_paginates(owner_client, account, owner):
    for number in range(ACTIVITY_PAGE_SIZE + 1):
        PrivateKey.objects.issue(account, f"Key {number}", scopes.READ_ONLY, owner)
    first = owner_client.get(url("activity"), {"action": "created"})
    assert len(first.context["events"]) == ACTIVITY_PAGE_SIZE
    assert 'href="?action=created&amp;page=2" rel="next"' in first.content.decode()
    second = owner_client.get(url("activity"), {"action": "created", "page": "2"})
    assert shown(second) == [("Key 0", "created")]
    assert owner_client.get(url("activity"), {"page": "junk"}).status_code == 200


def test_it_is_linked_from_the_tab_and_the_key_page(owner_client, key):
    assert f'<a href="{url("activity")}">All activity</a>' in owner_client.get(url("list")).content.decode()
    detail = owner_client.get(url("detail", key)).content.decode()
    assert f'<a href="{url("activity")}?key={key.public_id}">' in detail


def test_it_streams_the_filtered_events_as_csv(owner_client, key, inactive_key):
    response = owner_client.get(url("activity_csv"), {"key": str(inactive_key.public_id)})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="api-key-activity.csv"'
    rows = csv_of(response)
    assert rows[0][:5] == ["time (UTC)", "key name", "key", "key id", "action"]
    assert [(row[1], row[4]) for row in rows[1:]] == [
        ("Old warehouse sync", "Deactivated"),
        ("Old warehouse sync", "Created"),
    ]
    assert rows[1][2] == inactive_key.masked and '"reason": "Leaked in a public gist"' in rows[1][7]


def test_it_keeps_a_name_from_becoming_a_spreadsheet_formula(owner_client, account, owner):
    PrivateKey.objects.issue(account, '=HYPERLINK("http://evil.example")', scopes.READ_ONLY, owner)
    assert csv_of(owner_client.get(url("activity_csv")))[1][1] == '\'=HYPERLINK("http://evil.example")'


def test_it_shows_no_event_of_another_account_even_when_asked_by_id(owner_client, key, foreign_key):
    response = owner_client.get(url("activity"), {"key": str(foreign_key.public_id)})
    assert shown(response) == [("Zapier", "created")]  # not one of the choices: the filter is ignored
    assert KeyEvent.objects.filter(account=foreign_key.account).exists()


def test_it_spends_the_same_queries_whatever_the_number_of_events(owner_client, account, owner):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            owner_client.get(url("activity"))
        return len(captured)

    PrivateKey.objects.issue(account, "One", scopes.READ_ONLY, owner)
    few = queries()
    for number in range(20):
        PrivateKey.objects.issue(account, f"Key {number}", scopes.READ_ONLY, owner)
    assert queries() == few
