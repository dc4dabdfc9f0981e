"""/admin/today/: the view over notifications.today (thin: read, page, word; or one action)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from governance.audit import audit_record
from governance.models import AuditEvent
from notifications import admin_services, today
from notifications.models import AdviserTask, OutboundMessage
from workflows import selectors, words
from workflows.models import Case


def _back(request):
    keep = {k: request.POST[k] for k in ("adviser", "page") if request.POST.get(k)}
    return redirect(reverse("admin:today") + (f"?{urlencode(keep)}" if keep else ""))


def _act(request):
    action = request.POST.get("action")
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    if action == "done":
        if not request.user.has_perm("notifications.change_advisertask"):
            raise PermissionDenied
        # Only tasks the user may see: another adviser's task ids are left alone.
        tasks = AdviserTask.objects.filter(id__in=ids)
        if not selectors.sees_all_cases(request.user):
            tasks = selectors.related_visible_to(request.user, tasks)
        count = admin_services.tasks_mark_done(task_ids=tasks.values_list("id", flat=True))
        messages.success(request, f"{words.counted(count, 'task')} marked done.")
    elif action == "retry":
        if not request.user.has_perm("notifications.change_outboundmessage"):
            raise PermissionDenied
        chosen = list(
            selectors.related_visible_to(
                request.user, OutboundMessage.objects.filter(id__in=ids)
            ).values_list("id", "case_id")
        )
        result = admin_services.messages_retry(message_ids=[m for m, _ in chosen], by=request.user)
        for case in Case.objects.filter(id__in={c for _, c in chosen}):
            ids_ = [m for m, c in chosen if c == case.id]
            audit_record(
                action=AuditEvent.Action.RETRY,
                case=case,
                request=request,
                detail={"messages": ids_},
            )
        if result.requeued or result.resent:
            messages.success(request, "The message will go again at the next dispatch.")
        elif result.found_sent:
            messages.success(request, "The provider has the message: it is marked sent.")
        elif result.checking:
            messages.warning(
                request, "The provider could not answer yet: sendflow asks again in a few minutes."
            )
        else:
            messages.warning(request, "Nothing to retry: the message is no longer failed.")
    return _back(request)


def today_view(request, *, admin_site):
    if request.method == "POST":
        return _act(request)
    user = request.user
    supervisor = selectors.sees_all_cases(user)
    adviser = request.GET.get("adviser", "") if supervisor else ""
    day = timezone.localdate()
    items = today.today_items(user, today=day, adviser=adviser)
    page = Paginator(items, today.PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = today.worded(list(page.object_list), day)
    advisers = []
    if supervisor:
        advisers = list(
            get_user_model()
            .objects.filter(is_staff=True, is_active=True)
            .order_by("username")
            .values_list("pk", "first_name", "last_name", "username")
        )
        advisers = [
            (str(pk), f"{first} {last}".strip() or username)
            for pk, first, last, username in advisers
        ]
    context = {
        **admin_site.each_context(request),
        "title": "Today",
        "page": page,
        "supervisor": supervisor,
        "advisers": advisers,
        "adviser": adviser,
        "count": len(items),
        "can_mark_done": user.has_perm("notifications.change_advisertask"),
        "can_retry": user.has_perm("notifications.change_outboundmessage"),
    }
    return TemplateResponse(request, "admin/today.html", context)
