from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("touchpoints/<int:pk>/", views.touchpoint_figures_view, name="touchpoint"),
]
