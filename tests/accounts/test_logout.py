def test_it_rejects_get(client, owner):
    client.force_login(owner)
    response = client.get("/logout/")
    assert response.status_code == 405
    assert client.get("/settings/").status_code == 200


def test_it_logs_out_on_post(client, owner):
    client.force_login(owner)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/settings/")["Location"] == "/login/?next=/settings/"


def test_it_forgets_the_chosen_account(client, owner, account):
    client.force_login(owner)
    client.post("/settings/switch/", {"account": account.public_key})
    client.post("/logout/")
    assert dict(client.session) == {}


def test_it_offers_logout_as_a_form_in_the_header(client, owner):
    client.force_login(owner)
    html = client.get("/settings/").content.decode()
    assert '<form method="post" action="/logout/" class="inline-form">' in html
    assert 'href="/logout/"' not in html
