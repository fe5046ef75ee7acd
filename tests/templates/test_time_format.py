"""Every time on a page says its exact moment the same way, through ``_time.html``."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.urls import reverse

from accounts.models import Invitation
from accounts.roles import Role
from apikeys import scopes
from apikeys.models import PrivateKey

TITLE = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC")


class Times(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.titles: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "time":
            self.titles.append(dict(attrs).get("title", ""))


def test_it_writes_every_time_of_the_users_tab_in_one_format(client, account, owner):
    invitation, _ = Invitation.objects.issue(
        account, "new@new.test", Role.ANALYST, by=owner.memberships.get()
    )
    client.force_login(owner)
    html = client.get(reverse("accounts:users")).content.decode()
    titles = Times(html).titles
    expires = invitation.expires_at.strftime("%-d %b %Y, %H:%M UTC")
    assert expires in titles  # the invitation's "Expires" column
    assert len(titles) >= 3 and all(TITLE.fullmatch(title) for title in titles), titles


def test_it_writes_every_time_of_the_api_keys_tab_in_one_format(client, account, owner):
    PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    client.force_login(owner)
    titles = Times(client.get(reverse("apikeys:list")).content.decode()).titles
    assert titles and all(TITLE.fullmatch(title) for title in titles), titles
