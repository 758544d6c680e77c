"""The admin's upload page: upload, read the dry-run report, apply; progress by polling."""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

import access
from core.queue import QueueUnreachable, task_enqueue_on_commit
from imports.kinds import KINDS
from imports.mapping import SHIPPED, presets
from imports.services import (
    ApplyRefused,
    import_run_applied_by,
    import_run_apply,
    import_run_fail,
    import_run_start,
    import_run_status,
    import_run_unclaim,
)
from imports.tasks import import_run_execute
from imports.uploads import upload_discard, upload_save
from pipeline.models import ImportRun


def _mapping_choices() -> list[tuple[str, Any]]:
    labels = presets()
    shipped = [(path.name, path.stem) for path in sorted(SHIPPED.glob("*.yaml"))]
    crm = [(name, label) for name, stem in shipped if (label := labels.get(stem))]
    other = [(name, stem) for name, stem in shipped if stem not in labels]
    return [
        ("", "None: match the headers by name"),
        ("CRM exports", crm),
        ("Other shipped mappings", other),
    ]


class UploadForm(forms.Form):
    file = forms.FileField(help_text="CSV, UTF-8 (with or without BOM), comma or semicolon.")
    mapping = forms.ChoiceField(
        label="Preset or mapping",
        choices=_mapping_choices,
        required=False,
        help_text="A CRM's export as it comes (Salesforce, HubSpot), or a shipped mapping.",
    )
    kind = forms.ChoiceField(
        choices=[(name, name.replace("_", " ")) for name in KINDS],
        required=False,
        help_text="What the rows are, when no mapping is chosen.",
    )


def _admin(request: HttpRequest) -> None:
    if not access.can_import(access.signed_in(request)):
        raise PermissionDenied("Only sales operations imports data.")


def _queue(run: ImportRun) -> HttpResponse:
    """Start the run in the worker and show its page. A task queue that is down fails the run,
    saying so there and in a 503 (a dry run's file goes; an apply gives back the dry run, to
    apply again)."""
    try:
        task_enqueue_on_commit(
            import_run_execute, run.pk, consequence="the import was saved but not started"
        )
    except QueueUnreachable as error:
        import_run_fail(run=run, message=str(error))
        if run.dry_run:
            upload_discard(run)
        else:
            import_run_unclaim(run)
        return HttpResponse(str(error), status=503)
    return redirect("imports:run", pk=run.pk)


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _admin(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = import_run_start(
            path=upload_save(data["file"]),
            mapping=data["mapping"],
            kind=data["kind"] or "deals",
            dry_run=True,
            user=access.signed_in(request),
            file_name=data["file"].name,
        )
        return _queue(run)
    runs = access.visible_import_runs(access.signed_in(request)).select_related("user")[:20]
    return render(request, "imports/upload.html", {"form": form, "runs": runs})


@login_required
@require_GET
def import_run_page(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    run = get_object_or_404(access.visible_import_runs(access.signed_in(request)), pk=pk)
    status = import_run_status(run)
    context = {"run": run, "status": status, "done": status["done"]}
    context["applied_by"] = import_run_applied_by(run)
    return render(request, "imports/run.html", context)


@login_required
@require_GET
def import_run_status_view(request: HttpRequest, pk: int) -> JsonResponse:
    _admin(request)
    run = get_object_or_404(access.visible_import_runs(access.signed_in(request)), pk=pk)
    return JsonResponse(import_run_status(run))


@login_required
@require_POST
def import_run_apply_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply a file whose dry run passed: a new logged run over the same file and mapping."""
    _admin(request)
    checked = get_object_or_404(access.visible_import_runs(access.signed_in(request)), pk=pk)
    try:
        run = import_run_apply(checked=checked, user=access.signed_in(request))
    except ApplyRefused as refused:
        return HttpResponse(str(refused), status=409, content_type="text/plain; charset=utf-8")
    return _queue(run)
