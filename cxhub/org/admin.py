from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Department


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "head"]
    search_fields = ["name", "slug", "head__username", "head__last_name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["head"]
    filter_horizontal = ["members"]
