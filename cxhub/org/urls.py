from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("", views.department_list_view, name="department_list"),
    path("no-role/", views.no_role_view, name="no_role"),
]
