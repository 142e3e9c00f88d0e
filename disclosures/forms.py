import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosures.models import Disclosure, Region, Review


class UploadForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("类别"), choices=Disclosure.Kind.choices)
    approved_on = forms.DateField(
        label=_("批复日期"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=_("财政部门批复的日期；二十日公开期限从次日起算（预算法第十四条）。已由财政部门登记的可不填。"),
    )
    workbook = forms.FileField(
        label=_("批复工作簿（.xlsx）或其 PDF"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.pdf"}),
        help_text=_("财政系统导出的公开表 Excel 文件，或打印的 PDF（须有文字层），不超过 20 MB。"),
    )

    def clean_workbook(self):
        workbook = self.cleaned_data["workbook"]
        if workbook.size > settings.MAX_WORKBOOK_BYTES:
            raise forms.ValidationError(
                _("文件过大（%(size).1f MB），上限为 %(limit)d MB。"),
                params={"size": workbook.size / 1024 / 1024, "limit": settings.MAX_WORKBOOK_BYTES // 1024 // 1024},
            )
        if not workbook.name.lower().endswith((".xlsx", ".pdf")):
            raise forms.ValidationError(_("只接受 Excel 工作簿（.xlsx）或 PDF 文件。"))
        return workbook


class DocxForm(forms.Form):
    document = forms.FileField(
        label=_("Word 文档（.docx）或公开的 PDF"), widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf"}),
        help_text=_("按标题（如“一、部门职责”“第二部分 情况说明”）对应到各栏目；先预览，确认后才保存。不超过 10 MB。"),
    )


class SectionForm(forms.Form):
    body = forms.CharField(
        label=_("内容"), required=False, max_length=50000,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        help_text=_("纯文本：空行分段；“### ”开头为小标题；“- ”开头为列表项。不支持 HTML。"),
    )


class AcknowledgeForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    remark = forms.CharField(label=_("确认说明"), max_length=1000)


class FindingsField(forms.Field):
    """The indices of the warnings ticked on the report (several checkboxes of one name)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": _("请选择要确认的警告。"), "invalid": _("所选的警告无效，请刷新页面后重新选择。")}

    def to_python(self, value):
        if not value:
            return []
        try:
            return sorted({int(item) for item in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class BulkAcknowledgeForm(forms.Form):
    """Several warnings confirmed with one remark (each is still recorded on its own)."""

    findings = FindingsField()
    remark = forms.CharField(
        label=_("确认说明"), max_length=1000, error_messages={"required": _("请填写确认说明。")}
    )


class SecrecyDecisionForm(forms.Form):
    """The reviewer's decision on one 保密审查 flag."""

    flag = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("决定"),
        choices=[("keep", _("保留")), ("edit", _("删改")), ("false_positive", _("误报"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择：保留、删改或误报。")},
    )
    reason = forms.CharField(label=_("理由"), max_length=1000, required=False)
    replacement = forms.CharField(label=_("改为"), max_length=300, required=False)


class TableNoteForm(forms.Form):
    number = forms.CharField(widget=forms.HiddenInput, max_length=10)
    note = forms.CharField(label=_("空表说明"), max_length=2000)


class SubmitForm(forms.Form):
    change_note = forms.CharField(
        label=_("更正说明（公开）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("更正版本必填：改了什么、为什么改。将随版本记录向公众公开。"),
    )


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("审查结果"), choices=Review.Outcome.choices, widget=forms.RadioSelect)
    reviewed_on = forms.DateField(label=_("审查日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    remarks = forms.CharField(
        label=_("审查意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate()


class ApprovalForm(forms.Form):
    department = forms.ModelChoiceField(label=_("部门"), queryset=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("类别"), choices=Disclosure.Kind.choices)
    approved_on = forms.DateField(label=_("批复日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["year"].initial = timezone.localdate().year


class ComplianceForm(forms.Form):
    region = forms.ModelChoiceField(label=_("地区"), queryset=Region.objects.none(), required=False)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=Disclosure.Kind.choices, required=False)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].empty_label = None
        self.fields["region"].label_from_instance = lambda region: region.path
        self.fields["year"].initial = datetime.date.today().year
