"""The app's API endpoints: ``key/`` (which key is calling; DELETE revokes it) and GitHub's secret scanning
alerts (signed by GitHub, see apikeys/scanning.py). Include them under your API's prefix, in your namespace:
``path("api/", include("apikeys.api_urls"))``. ``apikeys.api.not_found`` answers unknown paths in JSON.
"""

from django.urls import path

from apikeys import api, scanning

urlpatterns = [
    path("key/", api.key_detail, name="key"),
    path("secret-scanning/github/", scanning.github_alert, name="secret_scanning_github"),
]
