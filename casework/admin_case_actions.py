"""The case list's actions: pause and resume reminders, take on, a new family link, export and
erase. CaseAdmin (casework/admin_workflows.py) lists them; each calls a service and records it."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse

from casework import admin_services
from casework import case_records as governance_services
from governance.audit import Action, audit_record
from workflows import services, words


class CaseActions:
    @admin.action(description="Pause reminders", permissions=["change"])
    def pause_reminders(self, request, queryset):
        self._pause(request, queryset, paused=True)

    @admin.action(description="Resume reminders", permissions=["change"])
    def resume_reminders(self, request, queryset):
        self._pause(request, queryset, paused=False)

    def _pause(self, request, queryset, *, paused):
        cases = list(queryset.filter(reminders_paused=not paused))
        for case in cases:
            admin_services.case_pause_set(case=case, paused=paused)
            audit_record(
                action=Action.PAUSE if paused else Action.RESUME, case=case, request=request
            )
        if paused:
            text = (
                f"Reminders paused for {words.counted(len(cases), 'case')}: "
                "their pending messages are held."
            )
        else:
            text = (
                f"Reminders resumed for {words.counted(len(cases), 'case')}: "
                "their messages are planned again."
            )
        self.message_user(request, text, messages.SUCCESS)

    @admin.action(description="Take on (assign to me)", permissions=["change"])
    def take_on(self, request, queryset):
        taken = 0
        for case in queryset.filter(adviser__isnull=True):
            if not services.case_take_on(case=case, by=request.user):
                continue  # someone took it a moment ago
            audit_record(
                action=Action.ASSIGN,
                case=case,
                request=request,
                detail={"to": request.user.get_username()},
            )
            taken += 1
        skipped = queryset.count() - taken
        self.message_user(
            request, f"You took on {words.counted(taken, 'unassigned case')}.", messages.SUCCESS
        )
        if skipped:
            self.message_user(
                request,
                f"{skipped} already had an adviser: only a supervisor reassigns a case.",
                messages.WARNING,
            )

    @admin.action(
        description="Send a new family link (the old one stops at once)", permissions=["change"]
    )
    def send_new_link(self, request, queryset):
        for case in queryset:
            if not case.link_works:
                self.message_user(
                    request,
                    f"{case}: closed or erased, so it has no family link.",
                    messages.WARNING,
                )
                continue
            sent = governance_services.case_link_replace(case=case, request=request)
            self.message_user(
                request,
                f"{case}: the old link no longer opens the family's page. "
                + (
                    "The new one goes with their summary of dates "
                    f"({words.counted(sent, 'message')})."
                    if sent
                    else "No summary to send yet: the new link goes in their next message."
                ),
                messages.SUCCESS,
            )

    @admin.action(
        description="Export everything held (subject access, JSON)", permissions=["export"]
    )
    def export_cases(self, request, queryset):
        import json

        cases = list(queryset)
        data = [governance_services.case_export_data(case=case) for case in cases]
        for case in cases:
            audit_record(action=Action.EXPORT, case=case, request=request, detail={"via": "admin"})
        name = cases[0].reference if len(cases) == 1 else f"{len(cases)}-cases"
        response = HttpResponse(
            json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="sendflow-{name}.json"'
        return response

    @admin.action(description="Erase the personal data…", permissions=["erase"])
    def erase_cases(self, request, queryset):
        if not self.has_erase_permission(request):
            raise PermissionDenied
        cases = list(queryset)
        if request.POST.get("confirm") == "yes":
            for case in cases:
                governance_services.case_erase(case=case, request=request)
            self.message_user(
                request,
                f"Erased {words.counted(len(cases), 'case')}: names, addresses, notes, message "
                "texts and task texts are gone; their counts and any STOP stay.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Erase these cases' personal data?",
            "cases": cases,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/workflows/case/erase_confirm.html", context)
