from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Touchpoint


@admin.register(Touchpoint)
class TouchpointAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "channel", "department"]
    list_filter = ["channel", "department"]
    search_fields = ["name", "code", "description"]
    list_select_related = ["department"]
