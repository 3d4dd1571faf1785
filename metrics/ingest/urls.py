from django.urls import path

from . import views

app_name = "data"

urlpatterns = [
    path("", views.data_view, name="data"),
    path("imports/<int:import_id>/", views.import_detail_view, name="import_detail"),
    path("imports/<int:import_id>/retry/", views.import_retry_view, name="import_retry"),
    path("templates/<str:kind>.csv", views.template_view, name="template"),
    path("exports/<str:kind>.csv", views.export_view, name="export"),
    path("targets/", views.targets_view, name="targets"),
    path("recompute/", views.recompute_view, name="recompute"),
    path("recompute/status/", views.run_status_view, name="run_status"),
]
