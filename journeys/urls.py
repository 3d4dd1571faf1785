from django.urls import path

from . import views

app_name = "journeys"

urlpatterns = [
    path("", views.journey_list_view, name="journey_list"),
    path("touchpoints/", views.touchpoint_list_view, name="touchpoint_list"),
]
