from django.urls import path

from apikeys import views

app_name = "apikeys"

urlpatterns = [
    path("", views.key_list, name="list"),
    path("new/", views.create, name="create"),
    path("banner/dismiss/", views.dismiss_banner, name="dismiss_banner"),
    path("activity/", views.activity, name="activity"),
    path("activity.csv", views.activity_csv, name="activity_csv"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/reveal/", views.reveal_secret, name="reveal"),
    path("<uuid:public_id>/clone/", views.clone, name="clone"),
    path("<uuid:public_id>/roll/", views.roll, name="roll"),
    path("<uuid:public_id>/rename/", views.rename, name="rename"),
    path("<uuid:public_id>/deactivate/", views.deactivate, name="deactivate"),
    path("<uuid:public_id>/reactivate/", views.reactivate, name="reactivate"),
    path("<uuid:public_id>/delete/", views.delete, name="delete"),
]
