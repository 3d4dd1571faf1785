from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cxhub.lib import redirects

from . import services
from .models import Kind, Notification
from .selectors import email_preferences, notification_list, unread_count


class PreferencesForm(forms.Form):
    """A checkbox per kind: e-mail me about it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.BooleanField(label=kind.label, required=False)


@require_GET
@login_required
def notification_list_view(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(notification_list(user=request.user, unread_only=unread_only), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread": unread_count(user=request.user),
        "form": PreferencesForm(initial=email_preferences(user=request.user)),
    }
    return render(request, "notifications/notification_list.html", context)


@require_GET
def bell_view(request: HttpRequest) -> HttpResponse:
    """The bell alone, refreshed by the page every minute or so (204, nothing to swap, once signed out)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "notifications/_bell.html", {"bell_unread": unread_count(user=request.user)})


@require_GET
@login_required
def notification_open_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification to what it is about; it counts as read."""
    notification = Notification.objects.filter(pk=notification_id, recipient=request.user).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    return HttpResponseRedirect(_local_or_list(notification.url))


@require_POST
@login_required
def mark_read_view(request: HttpRequest) -> HttpResponse:
    """Mark one notification read (`id`), or all of them."""
    raw = request.POST.get("id")
    if raw:
        try:
            ids = [int(raw)]
        except ValueError:
            raise Http404 from None
        services.mark_read(user=request.user, notification_ids=ids)
    else:
        count = services.mark_read(user=request.user)
        text = ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", count)
        messages.success(request, text % {"count": count})
    return HttpResponseRedirect(_local_or_list(request.POST.get("next")))


@require_POST
@login_required
def preferences_view(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST)
    form.is_valid()  # checkboxes: always valid, unchecked means off
    services.set_email_preferences(
        user=request.user, wanted={kind: form.cleaned_data.get(kind, False) for kind in Kind.values}
    )
    messages.success(request, _("E-mail preferences saved."))
    return HttpResponseRedirect(reverse("notifications:list") + "#preferences")


def _local_or_list(url: str | None) -> str:
    """A path on this site to go back to, or the notifications page."""
    return redirects.local(url, reverse("notifications:list"))
