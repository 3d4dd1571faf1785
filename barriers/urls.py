from django.urls import path

from . import views

app_name = "barriers"

urlpatterns = [
    path("mine/", views.inbox_view, name="inbox"),
]
