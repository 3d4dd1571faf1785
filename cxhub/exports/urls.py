from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("<uuid:token>/", views.export_status_view, name="status"),
    path("<uuid:token>/download/", views.export_download_view, name="download"),
]
