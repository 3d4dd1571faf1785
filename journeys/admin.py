from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cxhub.lib.concurrency import bump

from .models import Touchpoint


@admin.register(Touchpoint)
class TouchpointAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "channel", "department"]
    list_filter = ["channel", "department"]
    search_fields = ["name", "code", "description"]
    list_select_related = ["department"]
    readonly_fields = ["version", "updated_by"]

    def save_model(self, request, obj, form, change) -> None:
        if change and form.has_changed():  # an API client or page holding the old version must see it changed
            bump(obj, request.user)
        super().save_model(request, obj, form, change)
