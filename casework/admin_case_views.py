"""The case admin's pages: the case page's context (its routes, messages and problems), the
chronology, the deadline calculator and the import's URLs. CaseAdmin (casework/admin_workflows.py)
serves them."""

from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from casework import admin_case
from casework import history as notification_history
from casework import preview as notification_preview
from workflows import routes, rules, words
from workflows.forms import CalculatorForm
from workflows.models import Deadline

HISTORY_LIMIT = 50  # on the case page; the outbox has the rest


def _routes_on(case, deadlines, key_dates, today):
    """Each route on the case with its dates and the leaflet's checklist (workflows/routes.py)."""
    shown = []
    for route in case.routes.all():
        guide = routes.ROUTE_GUIDES.get(route.kind)
        if guide is None:
            continue
        shown.append(
            {
                "label": route.get_kind_display(),
                "kind": route.kind,
                "deadlines": [
                    {
                        "label": d.get_kind_display(),
                        "owner": words.owner_label(d.owner),
                        "date": d.date_in_words(),
                        "state": words.deadline_state_words(
                            state=d.state(today),
                            due=d.effective_due,
                            today=today,
                            status=d.status,
                            done_by=d.done_by,
                            done_on=d.done_on,
                        ),
                        "passed": d.state(today) == rules.State.PASSED,
                        # The adviser's marking after the state, when there is one.
                        "marking": words.marking_words(
                            status=d.status,
                            status_reason=d.status_reason,
                            override_date=d.override_date,
                            override_reason=d.override_reason,
                        )
                        if d.status != Deadline.Status.OPEN or d.override_date
                        else "",
                    }
                    for d in deadlines
                    if d.kind in guide.deadlines
                ],
                "key_dates": [
                    (words.event_label(k.event), rules.long_date(k.value))
                    for k in key_dates
                    if k.event in guide.events
                ],
                "checklist": guide.checklist,
                "source": guide.source,
            }
        )
    return shown


class CasePages:
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The case page is where the deadlines' working is read: give it the whole width.
        context["is_nav_sidebar_enabled"] = False
        if obj is not None and obj.pk:
            history = notification_history.with_send_size(
                obj.messages.select_related("contact")
            ).annotate(when=Coalesce("sent_at", "send_at"))
            today = timezone.localdate()
            now = timezone.now()
            messages_shown = list(history.order_by("-when", "-id")[:HISTORY_LIMIT])
            ahead, more_ahead = notification_history.messages_ahead(obj, now=now)
            for message in messages_shown:
                message.why = notification_history.waiting_reason(message, now=now)
                message.about = notification_history.message_about(message)
                message.together = notification_history.sent_together(message)
            deadlines = list(obj.deadlines.order_by("due"))
            key_dates = list(obj.key_dates.all())
            problems = admin_case.problems(
                obj, deadlines=deadlines, key_dates=key_dates, today=today
            )
            context.update(
                # The first screen: who and how to reach them, the next step, what is wrong.
                case_family=admin_case.family_reach(obj),
                case_next_step=admin_case.next_step(obj, today=today),
                case_today=today,
                case_deadline_count=len(deadlines),
                case_problems=problems,
                case_routes=_routes_on(obj, deadlines, key_dates, today),
                case_chronology_url=reverse("admin:workflows_case_chronology", args=[obj.pk]),
                case_messages=messages_shown,
                case_messages_ahead=ahead,
                case_next_sends=notification_preview.next_sends(obj, now=now),
                case_messages_more_ahead=more_ahead,
                case_plan_ahead_weeks=notification_history.AHEAD_WEEKS,
                case_messages_total=obj.messages.count(),
                case_open_tasks=problems.tasks,
                case_outbox_url=reverse("admin:notifications_outboundmessage_changelist")
                + f"?case__id__exact={obj.pk}",
                case_tasks_url=reverse("admin:workflows_advisertask_changelist")
                + f"?case__id__exact={obj.pk}&state=open",
            )
            if request.user.has_perm("governance.view_auditevent"):
                context["case_audit_url"] = (
                    reverse("admin:governance_auditevent_changelist") + f"?case__id__exact={obj.pk}"
                )
                context["case_history_url"] = (
                    reverse("admin:auditlog_logentry_changelist") + f"?case_id={obj.pk}"
                )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        calculator = path(
            "calculator/",
            self.admin_site.admin_view(self.calculator_view),
            name="workflows_calculator",
        )
        chronology = path(
            "<path:object_id>/chronology/",
            self.admin_site.admin_view(self.chronology_view),
            name="workflows_case_chronology",
        )
        from casework import admin_import

        imports = [
            path(
                "import/",
                self.admin_site.admin_view(lambda r: admin_import.import_view(self, r)),
                name="workflows_case_import",
            ),
            path(
                "import/sample.csv",
                self.admin_site.admin_view(lambda r: admin_import.sample_view(self, r)),
                name="workflows_case_import_sample",
            ),
        ]
        return [calculator, chronology, *imports, *super().get_urls()]

    def chronology_view(self, request, object_id):
        case = self.get_object(request, object_id)  # scoped: another adviser's case is not found
        if case is None or not self.has_view_permission(request, case):
            raise Http404("No case with that ID")
        entries = notification_history.case_chronology(case)
        if request.GET.get("format") == "csv":
            response = HttpResponse(
                notification_history.chronology_csv(entries), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="chronology-{case.reference}.csv"'
            )
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": f"Chronology of case {case.reference}",
            "case": case,
            "entries": entries,
            "opts": self.model._meta,
            "generated": timezone.now(),
        }
        return TemplateResponse(request, "admin/workflows/case/chronology.html", context)

    def calculator_view(self, request):
        form = CalculatorForm(request.GET or None)
        rows = None
        if form.is_valid():
            today = form.cleaned_data.get("today") or timezone.localdate()
            rows = [
                {
                    "deadline": d,
                    "state": d.state(today).value,
                    "state_words": words.deadline_state_words(
                        state=d.state(today),
                        due=d.due,
                        today=today,
                        done_by=d.done_by or "",
                        done_on=d.done_on,
                    ),
                    "date": rules.date_in_words(due=d.due, act_by=d.act_by),
                    "label": words.deadline_label(d.kind),
                    "owner": words.owner_label(d.owner),
                    "confidence": words.confidence_label(d.confidence),
                    "steps": [words.adviser_words(s) for s in d.steps],
                    "warnings": [words.adviser_words(w) for w in d.warnings],
                    "rule": words.adviser_words(d.rule),
                }
                for d in form.cleaned_data["deadlines"]
            ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Deadline calculator",
            "form": form,
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workflows/calculator.html", context)
