def test_it_redirects_anonymous_to_login(client, db):
    response = client.get("/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_shows_account_tab_to_owner(client, owner, account):
    client.force_login(owner)
    response = client.get("/settings/")
    assert response.status_code == 200
    assert account.public_key in response.content.decode()
