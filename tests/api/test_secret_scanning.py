"""POST /api/secret-scanning/github/: GitHub's signed alerts revoke leaked keys, for good."""

from __future__ import annotations

import base64
import io
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apikeys import scanning, secrets
from apikeys.models import KeyEvent, KeyStateError, PrivateKey, ScanningPublicKey
from tests.api.helpers import assert_error, call, issue
from tests.apikeys.helpers import state, url

ENDPOINT = "/api/secret-scanning/github/"
KEY_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
LEAK_URL = "https://github.com/octocat/Hello-World/blob/12345600b9cbe38a219f39a9941c9319b600c002/settings.py"


def public_pem(private_key) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign(private_key, body: bytes) -> str:
    return base64.b64encode(private_key.sign(body, ec.ECDSA(hashes.SHA256()))).decode()


@pytest.fixture
def github_key(db):
    """GitHub's signing key, generated here; its public half is imported as GitHub's would be."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    ScanningPublicKey.objects.create(key_identifier=KEY_ID, pem=public_pem(private_key))
    return private_key


def match(token: str, url: str = LEAK_URL, source: str = "content") -> dict:
    return {"token": token, "type": scanning.TOKEN_TYPE, "url": url, "source": source}


def alert(client, github_key, payload, *, body=None, signature=None, key_id=KEY_ID):
    """POST a payload as GitHub does: compact JSON, signed over the raw body."""
    body = body if body is not None else json.dumps(payload, separators=(",", ":")).encode()
    headers = {}
    if key_id is not None:
        headers["HTTP_GITHUB_PUBLIC_KEY_IDENTIFIER"] = key_id
    if signature is None and github_key is not None:
        signature = sign(github_key, body)
    if signature is not None:
        headers["HTTP_GITHUB_PUBLIC_KEY_SIGNATURE"] = signature
    return client.post(ENDPOINT, body, content_type="application/json", **headers)


# Leaked keys -----------------------------------------------------------------------------------------------


def test_it_deactivates_a_leaked_key_for_good(client, github_key, full_key):
    key, secret = full_key
    response = alert(client, github_key, [match(secret)])
    assert response.status_code == 200
    assert response.json() == [
        {"token_raw": secret, "token_type": scanning.TOKEN_TYPE, "label": "true_positive"}
    ]
    key.refresh_from_db()
    assert not key.is_active and key.leaked_at is not None
    assert key.deactivation_reason == f"Leaked: {LEAK_URL}"
    assert (key.deactivated_by, key.deactivated_by_label) == (None, "secret scanning")
    event = key.events.get(action=KeyEvent.Action.LEAKED)
    assert (event.actor, event.actor_label) == (None, "secret scanning")
    assert event.details == {
        "reason": f"Leaked: {LEAK_URL}",
        "url": LEAK_URL,
        "was_active": True,
        "source": "content",
        "type": scanning.TOKEN_TYPE,
    }
    assert call(client, "GET", "/api/key/", secret).status_code == 401  # on the very next request
    with pytest.raises(KeyStateError, match="Clone it"):
        key.reactivate(by=None)
    key.refresh_from_db()
    assert not key.is_active


def test_it_marks_an_inactive_key_so_it_is_never_reactivated(client, github_key, account, owner):
    key, secret = issue(account, owner)
    key.deactivate(by=owner, reason="Rotated")
    response = alert(client, github_key, [match(secret, url="")])
    assert response.json()[0]["label"] == "true_positive"
    key.refresh_from_db()
    assert key.leaked_at is not None and key.deactivation_reason == "Rotated"  # its own reason stays
    event = key.events.get(action=KeyEvent.Action.LEAKED)
    assert event.details["reason"] == "Leaked: found in public" and event.details["was_active"] is False
    with pytest.raises(KeyStateError, match="found in public"):
        key.reactivate(by=owner)


def test_it_answers_a_repeated_alert_without_doing_it_again(
    client, github_key, full_key, django_capture_on_commit_callbacks
):
    key, secret = full_key
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = alert(client, github_key, [match(secret), match(secret)])
        assert [item["label"] for item in response.json()] == ["true_positive"] * 2
    assert key.events.filter(action=KeyEvent.Action.LEAKED).count() == 1
    assert len(mail.outbox) == 1  # the one owner of the account, once


def test_it_emails_the_owners_and_admins_without_the_secret(
    client, github_key, full_key, admin, manager, outsider, django_capture_on_commit_callbacks
):
    key, secret = full_key
    with django_capture_on_commit_callbacks(execute=True):
        alert(client, github_key, [match(secret)])
    assert sorted(message.to[0] for message in mail.outbox) == ["admin@acme.test", "owner@acme.test"]
    message = mail.outbox[0]
    assert message.subject == f"API key “Full” (pk_…{key.hint}) in Acme was found in public"
    assert LEAK_URL in message.body and "deactivated at once" in message.body
    assert f"http://testserver{key.get_absolute_url()}" in message.body
    assert f"pk_…{secret[-4:]}" in message.body
    assert secret not in message.body + message.subject and secret[3:-4] not in message.body


def test_it_offers_only_a_clone_once_a_key_leaked(client, github_key, full_key, owner):
    key, secret = full_key
    alert(client, github_key, [match(secret)])
    client.force_login(owner)
    html = client.get(url("reactivate", key)).content.decode()
    assert "cannot be reactivated" in html and "found in public" in html
    assert f'href="{url("clone", key)}">Clone instead</a>' in html
    assert "Reactivate key" not in html and f'action="{url("reactivate", key)}"' not in html
    detail = client.get(url("detail", key)).content.decode()
    assert "Found in public" in detail and "Inactive (leaked)" in detail
    assert f'href="{url("reactivate", key)}"' not in detail
    assert "Inactive (leaked)" in client.get(url("list")).content.decode()
    before = state()
    response = client.post(url("reactivate", key), follow=True)
    assert "was not reactivated" in response.content.decode() and "Clone it" in response.content.decode()
    assert state() == before


def test_it_revokes_keys_of_several_accounts_in_one_alert(
    client, github_key, full_key, other_account, outsider
):
    key, secret = full_key
    theirs, their_secret = issue(other_account, outsider, name="Theirs")
    response = alert(client, github_key, [match(secret), match("not-a-key"), match(their_secret)])
    assert [item["label"] for item in response.json()] == ["true_positive", "false_positive", "true_positive"]
    assert PrivateKey.objects.active().filter(pk__in=[key.pk, theirs.pk]).count() == 0


# False positives and the one query ----------------------------------------------------------------------


def test_it_labels_what_is_not_a_key_without_a_query(client, settings, full_key, django_assert_num_queries):
    _, secret = full_key
    private_key = ec.generate_private_key(ec.SECP256R1())
    settings.SECRET_SCANNING_PUBLIC_KEYS = {KEY_ID: public_pem(private_key)}
    mistyped = secret[:-1] + ("A" if secret[-1] != "A" else "B")  # the checksum fails
    tokens = ["some_token", "", "pk_short", mistyped, "pk_" + "é" * 34]
    payload = [match(token or "x") for token in tokens]
    with django_assert_num_queries(0):  # the key from the setting, and no token worth looking up
        response = alert(client, private_key, payload)
    assert response.status_code == 200
    assert {item["label"] for item in response.json()} == {"false_positive"}


def test_it_answers_a_thousand_tokens_with_one_query(
    client, settings, full_key, django_assert_num_queries, django_capture_on_commit_callbacks
):
    key, secret = full_key
    private_key = ec.generate_private_key(ec.SECP256R1())
    settings.SECRET_SCANNING_PUBLIC_KEYS = {KEY_ID: public_pem(private_key)}
    tokens = [secrets.generate() for _ in range(997)] + ["ghp_notours", "pk_123", secrets.generate()]
    payload = [match(token, url=f"{LEAK_URL}#L{n}") for n, token in enumerate(tokens)]
    body = json.dumps(payload, separators=(",", ":")).encode()
    assert len(payload) == scanning.MAX_TOKENS and len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    with django_assert_num_queries(1) as queries:  # digest IN (every candidate of every token)
        response = alert(client, private_key, payload, body=body)
    assert response.status_code == 200 and len(response.json()) == 1000
    assert {item["label"] for item in response.json()} == {"false_positive"}
    assert "IN (" in queries.captured_queries[0]["sql"]
    # The same with a real key among them: one look-up, then the revocation of that key alone.
    payload[500] = match(secret)
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
        assert alert(client, private_key, payload).status_code == 200
    lookups = [q["sql"] for q in queries.captured_queries if '"digest" IN (' in q["sql"]]
    assert len(lookups) == 1
    key.refresh_from_db()
    assert key.leaked_at is not None


# Signatures: anything but GitHub's is refused, changing nothing ---------------------------------------------


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda body, sig: (body.replace(b"content", b"commit!"), sig), id="body changed"),
        pytest.param(lambda body, sig: (body + b" ", sig), id="body with a space added"),
        pytest.param(
            lambda body, sig: (
                body,
                base64.b64encode(
                    base64.b64decode(sig)[:-1] + bytes([base64.b64decode(sig)[-1] ^ 1])
                ).decode(),
            ),
            id="signature bit flipped",
        ),
        pytest.param(lambda body, sig: (body, sig[:-8]), id="signature truncated"),
        pytest.param(lambda body, sig: (body, "not base64!"), id="signature not base64"),
        pytest.param(lambda body, sig: (body, "é"), id="signature not ascii"),
    ],
)
def test_it_refuses_a_tampered_alert(client, github_key, full_key, tamper):
    _, secret = full_key
    body = json.dumps([match(secret)], separators=(",", ":")).encode()
    body, signature = tamper(body, sign(github_key, body))
    before = state()
    response = alert(client, None, None, body=body, signature=signature)
    assert_error(response, 401, "invalid_signature")
    assert state() == before


def test_it_refuses_a_signature_by_another_key(client, github_key, full_key):
    _, secret = full_key
    before = state()
    response = alert(client, ec.generate_private_key(ec.SECP256R1()), [match(secret)])
    assert_error(response, 401, "invalid_signature")
    assert state() == before


def test_it_refuses_an_unknown_key_identifier(client, github_key, full_key):
    _, secret = full_key
    before = state()
    for key_id in ("0" * 64, "x" * 5000):
        response = alert(client, github_key, [match(secret)], key_id=key_id)
        assert "Unknown Github-Public-Key-Identifier" in assert_error(response, 401)["detail"]
    assert state() == before


@pytest.mark.parametrize(
    "key_id", [f"{KEY_ID[:8]}\x00{KEY_ID[9:]}", "\x00", "é" * 10, "a\tb", "a\nb", "x" * 201]
)
def test_it_refuses_an_implausible_key_identifier_without_a_query(
    client, github_key, full_key, key_id, django_assert_num_queries
):
    """A NUL byte would make PostgreSQL fail the lookup; no identifier GitHub sends has one."""
    _, secret = full_key
    before = state()
    with django_assert_num_queries(0):
        response = alert(client, github_key, [match(secret)], key_id=key_id)
    assert (
        "Unknown Github-Public-Key-Identifier" in assert_error(response, 401, "invalid_signature")["detail"]
    )
    assert state() == before


def test_it_refuses_an_alert_without_signature_headers(client, github_key, full_key):
    _, secret = full_key
    body = json.dumps([match(secret)]).encode()
    before = state()
    assert_error(alert(client, None, None, body=body, key_id=None), 401, "invalid_signature")
    assert_error(alert(client, None, None, body=body, signature=sign(github_key, body), key_id=None), 401)
    assert_error(alert(client, None, None, body=body), 401)  # identifier, no signature
    assert state() == before


def test_it_refuses_a_configured_key_that_is_not_p256(client, settings, full_key):
    _, secret = full_key
    p384 = ec.generate_private_key(ec.SECP384R1())
    settings.SECRET_SCANNING_PUBLIC_KEYS = {KEY_ID: public_pem(p384)}
    before = state()
    assert_error(alert(client, p384, [match(secret)]), 401, "invalid_signature")
    settings.SECRET_SCANNING_PUBLIC_KEYS = {KEY_ID: "-----BEGIN PUBLIC KEY-----\nnonsense\n"}
    assert_error(alert(client, p384, [match(secret)]), 401, "invalid_signature")
    assert state() == before


def test_it_verifies_githubs_documented_example(client, db):
    """The sample alert of GitHub's documentation, verified offline against GitHub's published key.

    Body, signature and key identifier: "Sample HTTP POST sent to verify endpoint" in
    https://docs.github.com/en/code-security/secret-scanning/secret-scanning-partnership-program/secret-scanning-partner-program
    The page fetches the public key from https://api.github.com/meta/public_keys/secret_scanning; its
    entry for that identifier is quoted below in the endpoint's format, as published there (and as copied
    into other projects' tests). No network is used: the signature verifying is what shows they belong
    together.
    """
    published = {
        "public_keys": [
            {
                "key_identifier": "bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c",
                "key": "-----BEGIN PUBLIC KEY-----\n"
                "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYAGMWO8XgCamYKMJS6jc/qgvSlAd\n"
                "AjPuDPRcXU22YxgBrz+zoN19MzuRyW87qEt9/AmtoNP5GrobzUvQSyJFVw==\n"
                "-----END PUBLIC KEY-----\n",
                "is_current": True,
            }
        ]
    }
    call_command(
        "import_github_scanning_keys", stdin=io.StringIO(json.dumps(published)), stdout=io.StringIO()
    )
    body = b'[{"source":"commit","token":"some_token","type":"some_type","url":"https://example.com/base-repo-url/"}]'
    signature = (
        "MEQCIQDaMKqrGnE27S0kgMrEK0eYBmyG0LeZismAEz/BgZyt7AIfXt9fErtRS4XaeSt/AO1RtBY66YcAdjxji410VQV4xg=="
    )
    key_id = published["public_keys"][0]["key_identifier"]
    response = alert(client, None, None, body=body, signature=signature, key_id=key_id)
    assert response.status_code == 200
    assert response.json() == [
        {"token_raw": "some_token", "token_type": "some_type", "label": "false_positive"}
    ]
    assert_error(
        alert(
            client, None, None, body=body.replace(b"commit", b"commix"), signature=signature, key_id=key_id
        ),
        401,
    )


# Bad payloads: clear errors, nothing changes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (b"", ""),
        (b"not json", ""),
        (b"\xff\xfe", ""),
        (b'{"token": "x"}', ""),
        (b"[1]", "/0"),
        (b'[{"type": "x"}]', "/0/token"),
        (b'[{"token": 5}]', "/0/token"),
        (b'[{"token": "x", "url": ["a"]}]', "/0/url"),
        (b"[" * 5000 + b"]" * 5000, ""),  # deeper than Python's parser goes
        (b'[{"token": "x", "url": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}]", ""),
    ],
)
def test_it_rejects_a_signed_body_that_is_not_a_list_of_matches(client, github_key, full_key, body, pointer):
    before = state()
    response = alert(client, github_key, None, body=body)
    assert assert_error(response, 400, "invalid_payload")["source"] == {"pointer": pointer}
    assert state() == before


def test_it_stores_no_nul_or_lone_surrogate_from_an_alert(client, github_key, full_key):
    """JSON may carry both; PostgreSQL stores neither, so they are dropped from what is stored."""
    key, secret = full_key
    leak = {
        "token": secret,
        "type": "x\ud800y",
        "url": "https://github.com/a\x00b\udfffc",
        "source": "con\x00tent",
    }
    response = alert(client, github_key, [leak])  # JSON escapes them: \u0000, \ud800
    assert response.status_code == 200
    assert response.json() == [{"token_raw": secret, "token_type": "xy", "label": "true_positive"}]
    key.refresh_from_db()
    assert key.deactivation_reason == "Leaked: https://github.com/abc"
    details = key.events.get(action=KeyEvent.Action.LEAKED).details
    assert (details["url"], details["source"], details["type"]) == ("https://github.com/abc", "content", "xy")


def test_it_labels_a_token_with_a_nul_byte_a_false_positive(client, github_key, full_key):
    _, secret = full_key
    response = alert(client, github_key, [match(secret[:10] + "\x00" + secret[11:]), match("\ud800")])
    assert [answer["label"] for answer in response.json()] == ["false_positive", "false_positive"]


def test_it_rejects_more_than_a_thousand_matches(client, github_key, full_key):
    _, secret = full_key
    before = state()
    response = alert(client, github_key, [match(secret)] + [match("x")] * scanning.MAX_TOKENS)
    assert "At most 1000" in assert_error(response, 400, "invalid_payload")["detail"]
    assert state() == before


def test_it_refuses_a_body_over_its_cap_without_reading_it(client, github_key, full_key):
    _, secret = full_key
    body = json.dumps([match(secret, url="x" * (scanning.MAX_BODY_BYTES + 1))]).encode()
    before = state()
    assert_error(alert(client, github_key, None, body=body), 413, "too_large")
    assert state() == before


def test_it_refuses_a_body_longer_than_its_content_length_says(rf, github_key, full_key):
    _, secret = full_key
    body = json.dumps([match(secret)]).encode()
    request = rf.post(ENDPOINT, body, content_type="application/json")
    request.META.update(
        CONTENT_LENGTH="-1", HTTP_GITHUB_PUBLIC_KEY_IDENTIFIER=KEY_ID, HTTP_GITHUB_PUBLIC_KEY_SIGNATURE="x"
    )
    assert scanning.github_alert(request).status_code == 413


def test_it_rejects_get(client, github_key):
    assert_error(client.get(ENDPOINT), 405, "method_not_allowed")


def test_it_needs_no_csrf_token_and_no_session(github_key, full_key):
    _, secret = full_key
    response = alert(Client(enforce_csrf_checks=True), github_key, [match(secret)])
    assert response.status_code == 200 and response.json()[0]["label"] == "true_positive"


# Importing GitHub's public keys --------------------------------------------------------------------------


def keys_document(*private_keys, current=0) -> dict:
    return {
        "public_keys": [
            {"key_identifier": f"key-{n}", "key": public_pem(key), "is_current": n == current}
            for n, key in enumerate(private_keys)
        ]
    }


def test_it_imports_githubs_public_keys_from_a_file(tmp_path, db, client, full_key):
    _, secret = full_key
    first, second = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(keys_document(first, second, current=1)))
    out = io.StringIO()
    call_command("import_github_scanning_keys", str(path), stdout=out)
    assert "Imported 2 GitHub secret scanning public keys; removed 0" in out.getvalue()
    stored = {k.key_identifier: k.is_current for k in ScanningPublicKey.objects.all()}
    assert stored == {"key-0": False, "key-1": True}
    assert alert(client, first, [match(secret)], key_id="key-0").status_code == 200


def test_it_replaces_the_keys_github_no_longer_publishes(db, github_key):
    newer = ec.generate_private_key(ec.SECP256R1())
    out = io.StringIO()
    call_command(
        "import_github_scanning_keys", "-", stdin=io.StringIO(json.dumps(keys_document(newer))), stdout=out
    )
    assert "removed 1 no longer published" in out.getvalue()
    assert list(ScanningPublicKey.objects.values_list("key_identifier", flat=True)) == ["key-0"]


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        "[]",
        '{"public_keys": []}',
        '{"public_keys": [{"key_identifier": "a"}]}',
        '{"public_keys": [{"key_identifier": "", "key": "x"}]}',
        '{"public_keys": [{"key_identifier": "a", "key": "-----BEGIN PUBLIC KEY-----\\nxx\\n"}]}',
    ],
)
def test_it_imports_nothing_from_a_bad_document(db, github_key, document):
    with pytest.raises(CommandError):
        call_command("import_github_scanning_keys", stdin=io.StringIO(document), stdout=io.StringIO())
    assert list(ScanningPublicKey.objects.values_list("key_identifier", flat=True)) == [KEY_ID]


def test_it_refuses_a_p384_key_on_import(db):
    document = json.dumps(keys_document(ec.generate_private_key(ec.SECP384R1())))
    with pytest.raises(CommandError, match="P-256"):
        call_command("import_github_scanning_keys", stdin=io.StringIO(document), stdout=io.StringIO())
    assert not ScanningPublicKey.objects.exists()


def test_it_says_when_the_file_cannot_be_read(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_github_scanning_keys", str(tmp_path / "missing.json"), stdout=io.StringIO())
