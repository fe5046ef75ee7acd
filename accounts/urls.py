from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("welcome/", views.welcome, name="welcome"),
    path("users/", views.users, name="users"),
    path("users/invite/", views.invite, name="invite"),
    path("users/leave/", views.leave_account, name="leave"),
    path("users/<uuid:public_id>/role/", views.change_role, name="change_role"),
    path("users/<uuid:public_id>/remove/", views.remove_member, name="remove_member"),
    path("users/<uuid:public_id>/transfer/", views.transfer_ownership, name="transfer_ownership"),
    path("users/invitations/<uuid:public_id>/resend/", views.resend_invitation, name="resend_invitation"),
    path("users/invitations/<uuid:public_id>/revoke/", views.revoke_invitation, name="revoke_invitation"),
    path("switch/", views.switch_account, name="switch"),
    path("two-factor-policy/", views.two_factor_policy, name="two_factor_policy"),
]
