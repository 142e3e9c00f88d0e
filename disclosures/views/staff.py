"""Staff pages ("control"): department staff publish, the finance bureau watches compliance.

Every view goes through an access helper at the top of this module, which returns the object or
raises 404 (a department's staff never learn what another department has in progress) or 403 (a
page the user's role does not allow). The views only call the service functions and show their
errors; the rules live in services.py.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from disclosures import compliance, completeness, diff, services
from disclosures.audit_trail import record_export, record_refused_upload
from disclosures.ingest import word as docx_sections
from disclosures.secrecy import review as secrecy_review
from disclosures.clock import clock
from disclosures.forms import (
    AcknowledgeForm,
    ApprovalForm,
    BulkAcknowledgeForm,
    ComplianceForm,
    DocxForm,
    ReviewForm,
    SecrecyDecisionForm,
    SectionForm,
    SubmitForm,
    TableNoteForm,
    UploadForm,
)
from disclosures.models import (
    AuditEvent,
    Department,
    Disclosure,
    Membership,
    Region,
    Version,
    can_see_department,
    roles_in_department,
)
from disclosures.views.public import disclosure_context

# ---- access helpers ---------------------------------------------------------------------------


# Who works on a department's disclosures. Its request handlers and approvers hold a role in the
# department too, but unpublished drafts are not theirs to read (等保 2.0 访问控制: least privilege).
PUBLISHING_ROLES = {Membership.Role.EDITOR, Membership.Role.REVIEWER, Membership.Role.ADMIN}


def _publishing_access(user, department):
    if not can_see_department(user, department):
        # 404, not 403: staff of another department do not learn that it exists.
        raise Http404
    if not roles_in_department(user, department) & PUBLISHING_ROLES:
        raise PermissionDenied


def version_for(user, pk) -> Version:
    version = get_object_or_404(Version.objects.select_related("disclosure__department__region"), pk=pk)
    _publishing_access(user, version.disclosure.department)
    return version


def disclosure_for(user, pk) -> Disclosure:
    disclosure = get_object_or_404(Disclosure.objects.select_related("department__region"), pk=pk)
    _publishing_access(user, disclosure.department)
    return disclosure


def department_for(user, pk, role) -> Department:
    department = get_object_or_404(Department.objects.select_related("region"), pk=pk)
    roles = roles_in_department(user, department)
    if not roles:
        raise Http404
    if role not in roles:
        raise PermissionDenied
    return department


def admin_regions(user):
    """Regions the user administers, each with everything below it."""
    if user.is_superuser:
        return Region.objects.all()
    roots = Region.objects.filter(memberships__user=user, memberships__role=Membership.Role.ADMIN)
    ids = {pk for root in roots for pk in root.descendant_ids()}
    return Region.objects.filter(pk__in=ids)


def require_admin(user):
    regions = admin_regions(user)
    if not regions.exists():
        raise PermissionDenied
    return regions


def departments_of(user):
    if user.is_superuser:
        return Department.objects.all()
    own = Department.objects.filter(memberships__user=user, memberships__role__in=PUBLISHING_ROLES)
    regional = Department.objects.filter(region__in=admin_regions(user))
    return (own | regional).distinct()


# ---- pages ------------------------------------------------------------------------------------


@never_cache
@login_required
def home(request):
    today = timezone.localdate()
    departments = departments_of(request.user).select_related("region").order_by("region__name", "name")
    disclosures = (
        Disclosure.objects.filter(department__in=departments)
        .select_related("department__region", "published_version")
        .order_by("-year", "department__name")
    )
    rows = [(d, clock(d, today), d.versions.first()) for d in disclosures[:200]]
    editable = [d for d in departments if Membership.Role.EDITOR in roles_in_department(request.user, d)]
    return render(
        request,
        "staff/home.html",
        {"rows": rows, "editable": editable},
    )


@never_cache
@login_required
def upload(request, pk):
    department = department_for(request.user, pk, Membership.Role.EDITOR)
    result = None
    comparison = []
    limit = settings.MAX_WORKBOOK_BYTES
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > limit + 64 * 1024:
        # Refuse before reading the body, so an oversized upload is never written to disk.
        form = UploadForm(initial={"year": timezone.localdate().year, "kind": "budget"})
        messages.error(request, f"文件过大，上限为 {limit // 1024 // 1024} MB。未保存任何内容。")
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = services.upload(
                    data["workbook"], department=department, year=data["year"], kind=data["kind"],
                    approved_on=data["approved_on"], actor=request.user, file_name=data["workbook"].name,
                )
            except services.UploadRefused as refused:
                form.add_error(None, str(refused))
                result = refused.result
                comparison = refused.comparison
            except services.DisclosureError as error:
                form.add_error(None, str(error))
            else:
                what = "PDF" if data["workbook"].name.lower().endswith(".pdf") else "工作簿"
                messages.success(request, f"已读取{what}，生成第 {version.number} 版草稿。请查看检查报告。")
                return redirect("staff_version", version.pk)
    else:
        form = UploadForm(initial={"year": timezone.localdate().year, "kind": "budget"})
    if request.method == "POST":  # still here: the file was not taken (等保 2.0 安全审计)
        record_refused_upload(request, department=department, form=form)
    registered = Disclosure.objects.filter(department=department, published_version__isnull=True)
    return render(
        request, "staff/upload.html",
        {"department": department, "form": form, "result": result, "registered": registered, "comparison": comparison},
    )


def _report_findings(version):
    """The report's current findings, each with its index and acknowledgement (if any).

    Superseded ones (a narrative figure since corrected) are left out; a narrative warning names the
    title of the section that states the figure.
    """
    acknowledged = {a.finding: a for a in version.acknowledgements.select_related("by")}
    titles = {section.key: section.title for section in version.sections.all()}
    return [
        {**finding, "index": index, "ack": acknowledged.get(index), "section_title": titles.get(finding.get("section"), "")}
        for index, finding in enumerate((version.import_report or {}).get("findings", []))
        if not finding.get("superseded")
    ]


def _workspace_context(request, version):
    disclosure = version.disclosure
    roles = roles_in_department(request.user, disclosure.department)
    findings = _report_findings(version)
    warnings = [f for f in findings if f["level"] == "warning" and not f.get("narrative")]
    narrative_warnings = [f for f in findings if f["level"] == "warning" and f.get("narrative")]
    previous = disclosure.published_version if disclosure.published_version_id != version.pk else None
    return {
        "version": version,
        "disclosure": disclosure,
        "clock": clock(disclosure),
        "roles": roles,
        "can_edit": Membership.Role.EDITOR in roles and version.status == Version.Status.DRAFT,
        "can_review": Membership.Role.REVIEWER in roles
        and version.status == Version.Status.UNDER_REVIEW
        and not services.prepared_by(version, request.user),
        "can_publish": Membership.Role.REVIEWER in roles and version.status == Version.Status.PASSED,
        "errors": [f for f in findings if f["level"] == "error"],
        "warnings": warnings,
        "narrative_warnings": narrative_warnings,
        "pending": sum(1 for f in warnings + narrative_warnings if f["ack"] is None),
        "missing": [f for f in findings if f["level"] == "missing"],
        "infos": [f for f in findings if f["level"] == "info"],
        "checklist": completeness.checklist(version),
        "blockers": services.blockers(version),
        "sections": version.sections.all(),
        "empty_tables": [(t, services.suggested_empty_note(t)) for t in version.tables.filter(is_empty=True)],
        "reviews": version.reviews.all(),
        "flags": version.secrecy_flags.all(),
        "undecided_flags": secrecy_review.undecided(version).count(),
        "can_decide": (
            Membership.Role.REVIEWER in roles and version.status == Version.Status.UNDER_REVIEW
            and not services.prepared_by(version, request.user)
        ) or (bool(roles & {Membership.Role.EDITOR, Membership.Role.REVIEWER}) and version.status == Version.Status.DRAFT),
        "events": AuditEvent.objects.filter(disclosure=disclosure).select_related("version")[:50],
        "other_versions": disclosure.versions.exclude(pk=version.pk),
        "previous": previous,
        "submit_form": SubmitForm(),
        "review_form": ReviewForm(),
        **_layout_link(request.user, version),
    }


def _layout_link(user, version):
    """For the region's administrator: the admin form that saves this workbook's unknown columns as a variant."""
    disclosure = version.disclosure
    unmapped = [
        f"表{table['number']}：{column['header']} = "
        for table in version.import_report.get("tables", [])
        for column in table.get("columns", [])
        if not column.get("role")
    ]
    if not unmapped or not admin_regions(user).filter(pk=disclosure.department.region_id).exists():
        return {"can_save_layout": False}
    query = urlencode({
        "region": disclosure.department.region_id, "year": disclosure.year, "kind": disclosure.kind,
        "format": disclosure.format, "name": f"{disclosure.department.name} {disclosure.year} 版式",
        "wordings_text": "\n".join(unmapped),
    })
    return {"can_save_layout": True, "save_layout_url": f"{reverse('admin:disclosures_layoutvariant_add')}?{query}"}


@never_cache
@login_required
def version_workspace(request, pk):
    version = version_for(request.user, pk)
    return render(request, "staff/version.html", _workspace_context(request, version))


@never_cache
@login_required
def version_preview(request, pk):
    """Exactly what the public will see, marked as a preview and never cached."""
    version = version_for(request.user, pk)
    context = disclosure_context(version.disclosure, version)
    context.update(preview=True)
    return render(request, "disclosures/disclosure.html", context)


@never_cache
@login_required
def section_edit(request, pk, key):
    version = version_for(request.user, pk)
    section = get_object_or_404(version.sections, key=key)
    if request.method == "POST":
        form = SectionForm(request.POST)
        if form.is_valid():
            try:
                services.save_section(version, key=key, body=form.cleaned_data["body"], actor=request.user)
            except services.DisclosureError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"已保存“{section.title}”。")
                _warn_of_narrative_mismatches(request, version)
                return redirect("staff_section", version.pk, key)
    else:
        form = SectionForm(initial={"body": section.body})
    # The figures this section states that differ from the tables, as checked when it was last saved.
    findings = [
        f for f in _report_findings(version)
        if f.get("narrative") and f["level"] == "warning" and f.get("section", "explanation") == key
    ]
    return render(
        request, "staff/section_edit.html",
        {"version": version, "section": section, "form": form, "findings": findings,
         "checks_figures": key == "explanation" or bool(findings),
         "can_edit": Membership.Role.EDITOR in roles_in_department(request.user, version.disclosure.department)
         and version.status == Version.Status.DRAFT},
    )


def _warn_of_narrative_mismatches(request, version):
    version.refresh_from_db(fields=["import_report"])  # the service re-checked the text on its own copy
    pending = [f for _i, f in services.unacknowledged(version) if f.get("narrative")]
    if pending:
        messages.warning(
            request,
            f"说明栏目中有 {len(pending)} 处数字与表格不一致：请改正，或在检查报告中确认并说明理由，否则不能提交审查。",
        )


def _docx_session_key(version):
    return f"docx-import:{version.pk}"


@never_cache
@login_required
def sections_from_word(request, pk):
    """Narrative sections from the .docx staff keep them in: upload, see what went where, then confirm.

    The parsed text waits in the session between the two steps; nothing is saved until the editor confirms.
    """
    version = version_for(request.user, pk)
    if Membership.Role.EDITOR not in roles_in_department(request.user, version.disclosure.department):
        raise PermissionDenied
    if version.status != Version.Status.DRAFT:
        messages.error(request, "只有草稿可以修改说明栏目。")
        return redirect("staff_version", version.pk)
    key = _docx_session_key(version)
    titles = {section.key: section.title for section in version.sections.all()}
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.pop(key, None)
        if not pending:
            messages.error(request, "预览已过期，请重新上传 Word 文档。")
            return redirect("staff_sections_from_word", version.pk)
        try:
            services.import_sections(
                version, bodies=pending["bodies"], source_file=pending["file"], actor=request.user
            )
            # The imported text states figures too: check them now, as saving a section does.
            services.recheck_narrative(version, actor=request.user)
        except services.DisclosureError as error:
            messages.error(request, str(error))
            return redirect("staff_sections_from_word", version.pk)
        names = "、".join(titles[k] for k in pending["bodies"])
        messages.success(request, f"已从 {pending['file']} 导入：{names}。")
        _warn_of_narrative_mismatches(request, version)
        return redirect("staff_version", version.pk)
    preview = None
    if request.method == "POST":
        form = DocxForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["document"]
            try:
                parsed = docx_sections.read_upload(upload, version.disclosure.format_definition)
            except docx_sections.DocxUnreadable as error:
                form.add_error("document", str(error))
            else:
                bodies = {section.key: section.body for section in parsed.found()}
                if bodies:
                    request.session[key] = {"file": upload.name, "bodies": bodies}
                else:
                    request.session.pop(key, None)  # an earlier preview is no longer what the page shows
                    form.add_error("document", "文档中没有找到任何栏目标题（如“部门职责”“情况说明”），未导入。")
                preview = {
                    "rows": [(titles.get(section.key, section.title), section) for section in parsed.sections],
                    "unplaced": parsed.unplaced, "file": upload.name, "ready": bool(bodies),
                }  # fmt: skip
    else:
        form = DocxForm()
        request.session.pop(key, None)
    return render(
        request, "staff/sections_from_word.html",
        {"version": version, "form": form, "preview": preview},
    )


ACTIONS = {}


def action(name):
    def register(function):
        ACTIONS[name] = function
        return function

    return register


@action("acknowledge")
def _acknowledge(request, version):
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        raise services.DisclosureError("请填写确认说明。")
    services.acknowledge_warning(version, actor=request.user, **form.cleaned_data)
    return "已确认该警告。"


@action("acknowledge_many")
def _acknowledge_many(request, version):
    form = BulkAcknowledgeForm(request.POST)
    if not form.is_valid():
        raise services.DisclosureError(next(iter(form.errors.values()))[0])
    acks = services.acknowledge_warnings(version, actor=request.user, **form.cleaned_data)
    return f"已确认 {len(acks)} 条警告。"


@action("note")
def _note(request, version):
    form = TableNoteForm(request.POST)
    if not form.is_valid():
        raise services.DisclosureError("请填写空表说明。")
    services.save_table_note(version, actor=request.user, **form.cleaned_data)
    return "已保存空表说明。"


@action("secrecy")
def _secrecy(request, version):
    form = SecrecyDecisionForm(request.POST)
    if not form.is_valid():
        raise services.DisclosureError(next(iter(form.errors.values()))[0])
    flag = version.secrecy_flags.filter(pk=form.cleaned_data["flag"]).first()
    if flag is None:
        raise services.DisclosureError("没有这个标记，请刷新页面。")
    flag = secrecy_review.decide(
        flag, decision=form.cleaned_data["decision"], actor=request.user,
        reason=form.cleaned_data["reason"], replacement=form.cleaned_data["replacement"],
    )
    left = secrecy_review.undecided(version).count()
    done = f"已记录：{flag.get_decision_display()}。"
    return done + (f"还有 {left} 处标记待决定。" if left else "保密审查标记已全部处理。")


@action("redraft")
def _redraft(request, version):
    services.redraft_explanation(version, actor=request.user)
    return "已根据表格重新生成情况说明草稿。"


@action("submit")
def _submit(request, version):
    form = SubmitForm(request.POST)
    form.is_valid()
    services.submit(version, actor=request.user, change_note=form.cleaned_data.get("change_note", ""))
    return "已提交保密审查，已通知本部门审核人。"


@action("review")
def _review(request, version):
    form = ReviewForm(request.POST)
    if not form.is_valid():
        raise services.DisclosureError("请选择审查结果并填写审查日期。")
    result = services.review(version, actor=request.user, **form.cleaned_data)
    return "审查通过，可以公开。" if result.outcome == "passed" else "已退回编辑，并通知了编辑。"


@action("publish")
def _publish(request, version):
    services.publish(version, actor=request.user)
    return "已公开。"


@action("discard")
def _discard(request, version):
    services.discard(version, actor=request.user)
    return "已作废该草稿（保留记录，不会删除）。"


@never_cache
@login_required
@require_POST
def version_action(request, pk, name):
    version = version_for(request.user, pk)
    if name not in ACTIONS:
        raise Http404
    try:
        message = ACTIONS[name](request, version)
    except services.DisclosureError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, message)
    return redirect("staff_version", version.pk)


@never_cache
@login_required
@require_POST
def correct(request, pk):
    disclosure = disclosure_for(request.user, pk)
    try:
        version = services.start_correction(disclosure, actor=request.user)
    except services.DisclosureError as error:
        messages.error(request, str(error))
        current = disclosure.published_version or disclosure.versions.first()
        return redirect("staff_version", current.pk) if current else redirect("staff_home")
    messages.success(request, f"已生成第 {version.number} 版（更正），请修改后提交审查。")
    return redirect("staff_version", version.pk)


@never_cache
@login_required
def version_changes(request, pk):
    version = version_for(request.user, pk)
    previous = version.disclosure.published_version
    if previous is None or previous.pk == version.pk:
        previous = version.disclosure.versions.filter(number__lt=version.number, status=Version.Status.PUBLISHED).first()
    return render(request, "disclosures/changes.html", diff.changes_context(version, previous))


# ---- the finance bureau ---------------------------------------------------------------------


@never_cache
@login_required
def approvals(request):
    regions = require_admin(request.user)
    departments = Department.objects.filter(region__in=regions).order_by("region__name", "name")
    if request.method == "POST":
        form = ApprovalForm(request.POST, departments=departments)
        if form.is_valid():
            try:
                disclosure = services.register_approval(actor=request.user, **form.cleaned_data)
            except services.DisclosureError as error:
                form.add_error(None, str(error))
            else:
                state = clock(disclosure)
                messages.success(request, f"已登记 {disclosure}，公开截止日期 {state.deadline:%Y-%m-%d}。")
                return redirect("staff_approvals")
    else:
        form = ApprovalForm(departments=departments)
    registered = (
        Disclosure.objects.filter(department__in=departments, published_version__isnull=True)
        .select_related("department__region")
        .order_by("approved_on")
    )
    return render(request, "staff/approvals.html", {"form": form, "registered": [(d, clock(d)) for d in registered]})


@never_cache
@login_required
def compliance_view(request):
    regions = require_admin(request.user)
    # By default the widest region administered (a province before its cities), not the first by name.
    widest = min(regions, key=lambda r: (Region.DEPTH_LEVELS.index(r.level), r.name))
    data = None
    if request.GET:
        data = request.GET.copy()
        data.setdefault("region", str(widest.pk))  # so the list shows the region the table is for
    form = ComplianceForm(data, regions=regions.order_by("name"), initial={"region": widest})
    region, year, kind = widest, timezone.localdate().year, "budget"
    if form.is_bound and form.is_valid():
        region = form.cleaned_data["region"] or region
        year = form.cleaned_data["year"] or year
        kind = form.cleaned_data["kind"] or kind
    table = compliance.rows(region, year, kind)
    title = f"{region.path} {year} 年{dict(Disclosure.Kind.choices)[kind]}公开情况"
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        record_export(request, f"{title}（{export.upper()}）")
    if export == "csv":
        response = HttpResponse("\ufeff" + compliance.as_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = _attachment(f"{title}.csv")
        return response
    if export == "xlsx":
        response = HttpResponse(
            compliance.as_xlsx(table, title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = _attachment(f"{title}.xlsx")
        return response
    return render(
        request, "staff/compliance.html",
        {"form": form, "table": table, "totals": compliance.totals(table), "title": title,
         "query": request.GET.urlencode()},
    )


def _attachment(name):
    from urllib.parse import quote

    return f"attachment; filename=\"report.{name.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(name)}"


@never_cache
@login_required
def disclosure_audit(request, pk):
    disclosure = disclosure_for(request.user, pk)
    events = disclosure.events.select_related("version")
    return render(request, "staff/disclosure_audit.html", {"disclosure": disclosure, "events": events})

