from django.contrib import admin
from django.urls import include, path

from tests.second_host.orgs.api import OrganizationDetail, ProjectList

urlpatterns = [
    path("admin/", admin.site.urls),
    path("org/keys/", include("apikeys.urls")),
    path("api/", include("apikeys.api_urls")),
    path("api/projects/", ProjectList.as_view()),
    path("api/organization/", OrganizationDetail.as_view()),
]
