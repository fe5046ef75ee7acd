from django.urls import path

from apikeys import views

app_name = "apikeys"

urlpatterns = [
    path("", views.key_list, name="list"),
]
