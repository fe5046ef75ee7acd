from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import security
from accounts.security import LoginView, PasswordChangeView, login_verify
from accounts.views import accept_invitation

# admin.site is accounts.admin_site.AdminSite (accounts.apps.AdminConfig): staff need a second factor, and
# its log-in is the one below.

# JSON under /api/ and /client/, the templates' HTML pages elsewhere (config/errors.py).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:account"), name="home"),
    path(
        "login/",
        LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("login/verify/", login_verify, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # The user's own log-in, whichever accounts they belong to (staff too): not behind the account's tabs.
    path("security/", security.security, name="security"),
    path("security/two-factor/", security.two_factor_setup, name="two_factor_setup"),
    path("security/two-factor/disable/", security.two_factor_disable, name="two_factor_disable"),
    path("security/recovery-codes/", security.recovery_codes, name="recovery_codes"),
    path("invitations/<str:token>/", accept_invitation, name="accept_invitation"),
    path("settings/", include("accounts.urls")),
    path("settings/api-keys/", include("apikeys.urls")),
    path("api/", include("config.api_urls")),
    path("client/", include("lists.client_urls")),
    path("admin/", admin.site.urls),
]
