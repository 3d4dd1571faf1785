from django.urls import path

from . import data_views

app_name = "data"

urlpatterns = [
    path("", data_views.data_view, name="data"),
    path("imports/<int:import_id>/", data_views.import_detail_view, name="import_detail"),
    path("templates/<str:kind>.csv", data_views.template_view, name="template"),
    path("exports/<str:kind>.csv", data_views.export_view, name="export"),
    path("targets/", data_views.targets_view, name="targets"),
    path("recompute/", data_views.recompute_view, name="recompute"),
    path("recompute/status/", data_views.run_status_view, name="run_status"),
]
