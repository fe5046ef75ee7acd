"""Everything under /api/: keys authenticate every endpoint here (see apikeys/auth.py), but GitHub's secret
scanning alerts, which GitHub signs (see apikeys/scanning.py).
"""

from django.urls import include, path, re_path

from apikeys import api, scanning

app_name = "api"

urlpatterns = [
    path("key/", api.key_detail, name="key"),
    path("lists/", include("lists.api_urls")),
    path("secret-scanning/github/", scanning.github_alert, name="secret_scanning_github"),
    # Last: whatever else is asked under /api/ gets a JSON 404, never an HTML page.
    re_path(r"^(?P<path>.*)$", api.not_found),
]
