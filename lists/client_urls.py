"""/client/: the only endpoints a public key (site ID) reaches, open to any origin."""

from django.urls import path, re_path

from lists import client

app_name = "client"

urlpatterns = [
    path("subscriptions/", client.subscriptions, name="subscriptions"),
    re_path(r"^(?P<path>.*)$", client.not_found),
]
