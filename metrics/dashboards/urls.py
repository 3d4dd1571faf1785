from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("report/", views.dashboard_pdf_view, name="dashboard_pdf"),
    path("data/<slug:chart>.csv", views.dashboard_csv_view, name="dashboard_csv"),
    path("observed/", views.observed_view, name="observed"),
    path("department/", views.my_dashboard_view, name="my_department"),
    path("departments/<int:pk>/", views.department_dashboard_view, name="department"),
    path("touchpoints/<int:pk>/", views.touchpoint_figures_view, name="touchpoint"),
]
