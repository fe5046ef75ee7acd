from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("users/", views.users, name="users"),
    path("switch/", views.switch_account, name="switch"),
]
