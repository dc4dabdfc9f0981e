"""The message preview page on the reminder policies' admin: every message rendered, and a test
sent to the adviser. ReminderPolicyAdmin (casework/admin_notifications.py) serves it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from casework import admin_services
from casework.admin_display import london
from casework.admin_policy_forms import SendTestForm
from governance.audit import Action, audit_record
from notifications.models import Channel, OutboundMessage
from sendflow.privacy import mask_address

Status = OutboundMessage.Status


class PolicyPreview:
    def get_urls(self):
        preview = path(
            "preview/",
            self.admin_site.admin_view(self.preview_view),
            name="notifications_reminderpolicy_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request):
        # Advisers preview and test messages too; the policies themselves are a supervisor's.
        if not request.user.has_perm("notifications.view_outboundmessage"):
            raise PermissionDenied
        groups = admin_services.previews_render(adviser=request.user)
        samples = list(
            dict.fromkeys(
                (p.key, f"{g.title}: {p.kind_label.lower()}") for g in groups for p in g.previews
            )
        )
        form = SendTestForm(request.POST or None, user=request.user, samples=samples)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            preview = admin_services.preview_find(
                groups, key=data["sample"], channel=data["channel"]
            )
            if preview is None or preview.error:
                form.add_error("sample", "This message cannot be rendered, so it cannot be sent.")
            else:
                subject = f"[Test] {preview.subject}" if preview.subject else ""
                message = admin_services.adviser_message_send(
                    channel=data["channel"], to=data["to"], subject=subject, body=preview.body
                )
                self._report_test(request, message)
                audit_record(
                    action=Action.SEND_TEST,
                    case=message.case,
                    request=request,
                    detail={"message": message.id, "to": mask_address(message.to)},
                )
                return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": "Message preview",
            "opts": self.model._meta,
            "groups": groups,
            "form": form,
            "segment_limit": admin_services.SMS_SEGMENT_LIMIT,
        }
        return TemplateResponse(request, "admin/notifications/reminderpolicy/preview.html", context)

    def _report_test(self, request, message):
        what = f"The test {'text' if message.channel == Channel.SMS else 'email'} to {message.to}"
        if message.status == Status.SENT:
            self.message_user(request, f"{what} was sent.", messages.SUCCESS)
        elif message.status == Status.FAILED:
            self.message_user(request, f"{what} failed: {message.last_error}", messages.ERROR)
        elif message.status == Status.SUPPRESSED:
            self.message_user(
                request,
                f"{what} was not sent: that address has opted out (see Suppressions).",
                messages.ERROR,
            )
        elif message.status == Status.UNKNOWN:
            self.message_user(
                request,
                f"{what} may not have gone: the provider did not answer ({message.last_error}). "
                "sendflow is checking with the provider.",
                messages.WARNING,
            )
        elif message.status == Status.PENDING:
            why = message.status_reason or message.last_error
            self.message_user(
                request,
                f"{what} was not sent yet ({why}). It will go at {london(message.send_at)}.",
                messages.WARNING,
            )
        else:
            self.message_user(
                request,
                f"{what} was not sent: {message.get_status_display().lower()} "
                f"{message.status_reason}".strip(),
                messages.WARNING,
            )
