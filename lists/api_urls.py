"""/api/lists/: included by config/api_urls.py, so the names live in the ``api`` namespace."""

from django.urls import path

from lists import api

urlpatterns = [
    path("", api.list_collection, name="lists"),
    # str, not uuid: a malformed id must reach the view and get the API's JSON 404.
    path("<str:list_id>/", api.list_detail, name="list"),
]
