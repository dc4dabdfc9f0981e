"""The case import page in the admin: upload a CSV, a dry-run preview, then confirm.

The uploaded file waits server-side between preview and confirm, in a private folder under the
system's temporary directory, named by a random id kept in the user's session (so nobody else's
confirm can reach it). casework/importing.py does the reading (import_reading, import_checks)
and the all-or-nothing write.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from casework import import_previews, importing
from casework.import_outlook import import_outlook
from governance.audit import Action, audit_record
from workflows.models import Case
from workflows.selectors import cases_visible_to, sees_all_cases
from workflows.words import counted

SAMPLE = Path(__file__).parent / "samples" / "caseload.csv"
SESSION_KEY = "sendflow_import"
MAX_UPLOAD = 50 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8 CSV, one row a case.")


def _scope_errors(rows: list[importing.Row], user) -> list[str]:
    """What this user may not do: another adviser's case, or assigning one to someone else."""
    if sees_all_cases(user):
        return []
    errors = []
    refs = [r.reference for r in rows]
    mine = set(
        cases_visible_to(user).filter(reference__in=refs).values_list("reference", flat=True)
    )
    existing = importing.existing_references(rows)
    for row in rows:
        if row.reference in existing and row.reference not in mine:
            # Said without whose or what the case is: an adviser learns no more than that the
            # reference is taken, which creating a case with it would tell them anyway.
            errors.append(
                f"Row {row.number}, column reference: '{row.reference}' cannot be used: choose "
                "another reference, or ask a supervisor"
            )
        elif row.reference in mine and "adviser" in row.columns and row.adviser_id is None:
            errors.append(
                f"Row {row.number}, column adviser: blank would leave the case with no "
                "adviser, which only a supervisor does; put your login there or remove the column"
            )
        if row.adviser_id not in (None, user.pk):
            errors.append(
                f"Row {row.number}, column adviser: only a supervisor gives a case to another "
                "adviser"
            )
    return errors


def _preview(path: Path, user, name: str):
    parsed = importing.parse_file(path, name=name)  # errors name the upload, not where it was put
    errors = parsed.errors + _scope_errors(parsed.rows, user)
    existing = importing.existing_references(parsed.rows) if parsed.rows else set()
    return parsed, errors, existing


def import_view(model_admin, request):
    if not model_admin.has_add_permission(request):
        raise Http404
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Import cases from a CSV file",
        "opts": Case._meta,
        "sample_url": reverse("admin:workflows_case_import_sample"),
        "columns": importing.FIXED_COLUMNS,
    }
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _confirm(model_admin, request, context)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", "The file is over 50 MB: split it.")
        else:
            token = secrets.token_urlsafe(16)
            path = import_previews.path_for(token)
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            _forget(request)
            request.session[SESSION_KEY] = {
                "token": token,
                "name": upload.name,
                "at": time.time(),
            }
            parsed, errors, existing = _preview(path, request.user, upload.name)
            # The import written and rolled back: the counts of what a confirm sends, and each
            # case's next step. Nothing stays and nobody is messaged before the confirm.
            outlook = import_outlook(parsed.rows) if not errors else None
            if outlook and outlook.errors:
                errors, outlook = outlook.errors, None
            cases = list(outlook.cases.values()) if outlook else parsed.rows
            context.update(
                preview=True,
                file_name=upload.name,
                errors=errors,
                created=[r for r in cases if r.reference not in existing],
                updated=[r for r in cases if r.reference in existing],
                outlook=outlook,
                token=token,
            )
    context["form"] = form
    return TemplateResponse(request, "admin/workflows/case/import.html", context)


def _forget(request) -> None:
    held = request.session.pop(SESSION_KEY, None)
    if held:
        import_previews.path_for(held["token"]).unlink(missing_ok=True)


def _confirm(model_admin, request, context):
    held = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    path = import_previews.path_for(held.get("token", ""))
    if (
        not token
        or not secrets.compare_digest(token, held.get("token", ""))
        or not import_previews.is_fresh(path, uploaded_at=held.get("at", 0))
    ):
        messages.error(request, "That preview has expired: upload the file again.")
        return redirect("admin:workflows_case_import")
    parsed, errors, existing = _preview(path, request.user, held.get("name", ""))
    no_summary = request.POST.get("no_summary") == "on"
    left_out = 0
    if not errors:
        try:
            left_out = importing.write(parsed.rows, summary=not no_summary)
        except importing.ImportClash as clash:
            errors = clash.errors
    if errors:
        context.update(
            preview=True, file_name=held.get("name"), errors=errors, created=[], updated=[]
        )
        context["form"] = UploadForm()
        return TemplateResponse(request, "admin/workflows/case/import.html", context)
    refs = [r.reference for r in parsed.rows]
    if not sees_all_cases(request.user):  # an adviser's new cases are theirs
        Case.objects.filter(reference__in=refs, adviser__isnull=True).exclude(
            reference__in=existing
        ).update(adviser=request.user)
    for case in Case.objects.filter(reference__in=refs):
        audit_record(
            action=Action.IMPORT,
            case=case,
            request=request,
            detail={"file": held.get("name"), **({"no_summary": True} if no_summary else {})},
        )
    _forget(request)
    new = len(refs) - len(existing)
    messages.success(
        request,
        f"Imported {counted(len(refs), 'case')} from {held.get('name')}: {new} new, "
        f"{len(existing)} updated."
        + (
            f" No first summary: {counted(left_out, 'summary', 'summaries')} cancelled, so "
            "the families were not messaged on import; later reminders still go."
            if no_summary
            else ""
        ),
    )
    return redirect("admin:workflows_case_changelist")


def sample_view(model_admin, request):
    response = FileResponse(SAMPLE.open("rb"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sendflow-sample-caseload.csv"'
    return response
