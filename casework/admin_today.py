"""/admin/today/: the view over casework.today and today_paging (thin: read a page, word
it; or one action)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from casework import admin_services, today, today_paging
from governance.audit import audit_record
from governance.models import AuditEvent
from notifications.models import OutboundMessage
from workflows import selectors, services, words
from workflows.models import AdviserTask, Case, FamilyReportedDate, KeyDate


def _back(request):
    keep = {k: request.POST[k] for k in ("adviser", "page") if request.POST.get(k)}
    return redirect(reverse("admin:today") + (f"?{urlencode(keep)}" if keep else ""))


def _act(request):
    action = request.POST.get("action")
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    if action == "done":
        if not request.user.has_perm("workflows.change_advisertask"):
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
    elif action == "confirm":
        _confirm(request, ids)
    elif action == "take_on":
        _take_on(request, ids)
    return _back(request)


def _confirm(request, ids) -> None:
    """Confirm a date the family told us, as the family-reported dates list ("Use the
    family's date") and the case page's "confirmed" tick do: through the same services, so
    the key date's change is in the case's history like theirs."""
    kind = request.POST.get("kind")
    model, perm = {
        "reported": (FamilyReportedDate, "workflows.change_familyreporteddate"),
        "key_date": (KeyDate, "workflows.change_keydate"),
    }.get(kind, (None, ""))
    if model is None or not request.user.has_perm(perm):
        raise PermissionDenied
    visible = selectors.related_visible_to(request.user, model.objects.filter(id__in=ids[:1]))
    if model is FamilyReportedDate:
        dates = visible.filter(status=FamilyReportedDate.Status.WAITING)
    else:
        dates = visible.filter(confirmed=False)
    date_ = dates.select_related("case").first()
    if date_ is None:
        messages.warning(request, "Nothing to confirm: the date was already dealt with.")
        return
    try:
        if model is FamilyReportedDate:
            services.reported_date_decide(reported=date_, accept=True, by=request.user)
        else:
            services.key_date_set(
                case=date_.case,
                event=date_.event,
                value=date_.value,
                source=KeyDate.Source.FAMILY,
                by=request.user,
                confirmed=True,
            )
    except ValidationError as exc:
        messages.error(request, f"{date_.case}: {exc.messages[0]}")
        return
    messages.success(request, f"{date_.case}: the family's date is confirmed and used.")


def _take_on(request, ids) -> None:
    """Take on a case nobody looks after, as the case list's "Take on" does (audited the
    same way); a supervisor may also take over a case whose adviser has left."""
    if not request.user.has_perm("workflows.change_case"):
        raise PermissionDenied
    supervisor = selectors.sees_all_cases(request.user)
    case = selectors.cases_visible_to(request.user).filter(id__in=ids[:1]).first()
    if case is None or not services.case_take_on(case=case, by=request.user, from_left=supervisor):
        messages.warning(request, "That case already has an adviser.")
        return
    audit_record(
        action=AuditEvent.Action.ASSIGN,
        case=case,
        request=request,
        detail={"to": request.user.get_username()},
    )
    messages.success(request, f"{case} is now on the caseload of {request.user.get_username()}.")


def today_view(request, *, admin_site):
    if request.method == "POST":
        return _act(request)
    user = request.user
    supervisor = selectors.sees_all_cases(user)
    adviser = request.GET.get("adviser", "") if supervisor else ""
    day = timezone.localdate()
    scope = today_paging.scope_for(user, adviser=adviser, today=day)
    items = today_paging.TodayList(scope)
    with today_paging.reading():
        page = Paginator(items, today.PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = today.worded(
            today_paging.page_items(scope, list(page.object_list), now=timezone.now()), day
        )
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
        "count": items.count(),
        "more": items.more,
        "can_mark_done": user.has_perm("workflows.change_advisertask"),
        "can_confirm_reported": user.has_perm("workflows.change_familyreporteddate"),
        "can_confirm_key_date": user.has_perm("workflows.change_keydate"),
        "can_take_on": user.has_perm("workflows.change_case"),
        "can_retry": user.has_perm("notifications.change_outboundmessage"),
    }
    return TemplateResponse(request, "admin/today.html", context)
