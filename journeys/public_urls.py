"""Share links' pages, outside the app (no login): /s/<token>/…"""

from django.urls import path

from . import public_views as views

app_name = "shared"

urlpatterns = [
    path("<str:token>/", views.shared_map_view, name="map"),
    path("<str:token>/print/", views.shared_print_view, name="print"),
    path("<str:token>/export/<str:fmt>/", views.shared_export_view, name="export"),
    path("<str:token>/exports/<uuid:export_token>/", views.shared_export_status_view, name="export_status"),
    path(
        "<str:token>/exports/<uuid:export_token>/download/",
        views.shared_export_download_view,
        name="export_download",
    ),
]
