"""Forms of the citizen and staff pages. Every message is Chinese and says what to fix."""

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.contrib.auth import get_user_model

from disclosures import workdays
from disclosures.models import Department, Membership

from . import attachments, validators
from .models import (
    Appeal,
    RequestAttachment,
    ApplicantType,
    Delivery,
    FeeNotice,
    FormWanted,
    IdType,
    InformationRequest,
    ThirdPartyConsultation,
)
from .outcomes import STAFF_OUTCOMES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_FILE_BYTES = 20 * 1024 * 1024

APPLICANT_TYPE_CHOICES = [
    (ApplicantType.NATURAL_PERSON, "自然人"),
    (
        "法人或其他组织",
        [(value, label) for value, label in ApplicantType.choices if value != ApplicantType.NATURAL_PERSON],
    ),
]
PERSON_ID_TYPES = [(value, label) for value, label in IdType.choices if value != IdType.CREDIT_CODE]


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, department):
        return f"{department.region.path} · {department.name}"


# A description is a few lines naming the information (条例第二十九条), not a brief.
DESCRIPTION_MAX_LENGTH = 2000


class AttachmentInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentField(forms.FileField):
    """Several files of one kind (身份证明 or 其他材料), each checked by attachments.check; cleans to a list of
    (upload, content type) pairs."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", AttachmentInput(attrs={"accept": attachments.ACCEPT_ATTRIBUTE}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned, errors = [], []
        for upload in uploads:
            try:
                if getattr(upload, "size", None) == 0:
                    raise forms.ValidationError(f"文件“{upload.name}”是空文件，请重新选择。", code="empty")
                upload = super().clean(upload, initial)
                cleaned.append((upload, attachments.check(upload)))
            except forms.ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class AttachmentsMixin:
    """The two attachment fields and the count limit, for the application and the amendment."""

    attachment_fields = (("identity_files", RequestAttachment.Kind.IDENTITY), ("other_files", RequestAttachment.Kind.OTHER))

    def clean_attachment_count(self):
        count = sum(len(self.cleaned_data.get(name) or []) for name, _kind in self.attachment_fields)
        if count > attachments.max_files():
            field = "other_files" if self.cleaned_data.get("other_files") else "identity_files"
            self.add_error(field, forms.ValidationError(attachments.too_many(count), code="count"))

    def attachment_uploads(self) -> list:
        """(kind, upload, content type) for attachments.store."""
        return [
            (kind, upload, content_type)
            for name, kind in self.attachment_fields
            for upload, content_type in self.cleaned_data.get(name) or []
        ]


def attachment_help(what):
    return (
        f"{what}支持{attachments.ACCEPTED}，每个文件不超过{attachments.max_bytes() // (1024 * 1024)} MB，"
        f"两项合计最多{attachments.max_files()}个。提交未成功时需重新选择文件。"
    )


class ApplicationForm(AttachmentsMixin, forms.ModelForm):
    """条例第二十九条: who is asking, how to reach them, what they want, in which form and how."""

    department = DepartmentChoiceField(
        label="向哪个机关申请",
        queryset=Department.objects.select_related("region__parent__parent"),
        empty_label="请选择部门",
    )
    applicant_type = forms.ChoiceField(label="申请人类型", choices=APPLICANT_TYPE_CHOICES)
    id_type = forms.ChoiceField(
        label="证件类型", choices=PERSON_ID_TYPES, required=False, help_text="自然人填写；法人或其他组织无需选择。"
    )
    id_number = forms.CharField(label="证件号码", max_length=40, help_text="法人或其他组织请填写18位统一社会信用代码。")
    form_wanted = forms.ChoiceField(label="信息的载体形式", choices=FormWanted.choices, widget=forms.RadioSelect)
    delivery = forms.ChoiceField(label="获取信息的方式", choices=Delivery.choices, widget=forms.RadioSelect)
    consent = forms.BooleanField(
        label="我已阅读并同意上述个人信息处理说明",
        error_messages={"required": "请阅读个人信息处理说明并勾选同意后再提交。"},
    )
    identity_files = AttachmentField(label="身份证明（可选）")
    other_files = AttachmentField(label="其他材料（可选）")
    # A field people never see: bots that fill every input give themselves away.
    website = forms.CharField(label="网址（请勿填写）", required=False)

    class Meta:
        model = InformationRequest
        fields = [
            "department", "applicant_type", "name", "contact_person", "id_type", "id_number", "phone", "email",
            "address", "information_title", "document_number", "description", "form_wanted", "delivery",
        ]  # fmt: skip
        labels = {"name": "姓名或名称"}
        help_texts = {
            "contact_person": "法人或其他组织必填。",
            "description": "请写明所需信息的名称、文号或者便于查询的其他特征性描述（条例第二十九条）。",
            "address": "选择邮寄时必填。",
            "email": "选择电子邮件获取时必填；填写后将收到受理和答复通知。",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        description = self.fields["description"]
        description.max_length = DESCRIPTION_MAX_LENGTH
        description.validators.append(MaxLengthValidator(DESCRIPTION_MAX_LENGTH))
        description.widget.attrs["maxlength"] = DESCRIPTION_MAX_LENGTH
        description.error_messages["max_length"] = (
            f"所需信息的描述最多{DESCRIPTION_MAX_LENGTH}字（现有%(show_value)d字），请写明名称、文号或特征即可。"
        )
        self.fields["identity_files"].help_text = attachment_help("如身份证件、营业执照的扫描件或照片。")
        self.fields["other_files"].help_text = attachment_help("如需要说明的其他材料。")
        # Each message names its field: a summary of eight "这个字段是必填项。" tells nobody what to fix.
        for field in self.fields.values():
            if str(field.error_messages.get("required")) == str(forms.Field.default_error_messages["required"]):
                verb = "选择" if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)) else "填写"
                field.error_messages["required"] = f"请{verb}{field.label}。"

    def clean_phone(self):
        return validators.validate_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError("提交未成功，请稍后重试。", code="honeypot")
        applicant_type = data.get("applicant_type")
        number = (data.get("id_number") or "").strip()
        if applicant_type and number:
            if applicant_type == ApplicantType.NATURAL_PERSON:
                id_type = data.get("id_type")
                if not id_type:
                    self.add_error("id_type", "请选择证件类型。")
                elif id_type == IdType.RESIDENT_ID:
                    try:
                        data["id_number"] = validators.validate_resident_id(number)
                    except forms.ValidationError as error:
                        self.add_error("id_number", error)
            else:
                data["id_type"] = IdType.CREDIT_CODE
                try:
                    data["id_number"] = validators.validate_credit_code(number)
                except forms.ValidationError as error:
                    self.add_error("id_number", error)
                if not (data.get("contact_person") or "").strip():
                    self.add_error("contact_person", "法人或其他组织请填写联系人姓名。")
        if data.get("delivery") == Delivery.EMAIL and not data.get("email"):
            self.add_error("email", "选择通过电子邮件获取信息时，请填写电子邮箱。")
        if data.get("delivery") == Delivery.POST and not (data.get("address") or "").strip():
            self.add_error("address", "选择邮寄时，请填写通讯地址。")
        self.clean_attachment_count()
        return data

    def request_data(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in self.Meta.fields}


class StatusLookupForm(forms.Form):
    tracking_code = forms.CharField(label="查询码", max_length=40, help_text="提交申请后获得的20位查询码，可含短横线。")
    phone_suffix = forms.RegexField(
        label="联系电话后四位", regex=r"^\d{4}$", error_messages={"invalid": "请填写申请时所留电话号码的后四位数字。"}
    )


class AmendForm(AttachmentsMixin, forms.Form):
    text = forms.CharField(label="补正后的申请内容", widget=forms.Textarea(attrs={"rows": 5}))
    identity_files = AttachmentField(label="身份证明（可选）")
    other_files = AttachmentField(label="其他材料（可选）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identity_files"].help_text = attachment_help("补正要求提供身份证明的，请在此上传。")
        self.fields["other_files"].help_text = attachment_help("补正所需的其他材料。")

    def clean(self):
        data = super().clean()
        self.clean_attachment_count()
        return data


class RecoveryForm(forms.Form):
    """找回查询码: the phone or e-mail given on the application (recovery.py)."""

    contact = forms.CharField(
        label="申请时所留联系电话或电子邮箱",
        max_length=254,
        help_text="查询码将发送到该申请所留的联系电话（短信）或电子邮箱，不在本页显示。",
    )

    def clean_contact(self):
        value = self.cleaned_data["contact"].strip()
        if "@" in value:
            try:
                forms.EmailField().clean(value)
            except forms.ValidationError:
                raise forms.ValidationError("请填写正确的电子邮箱地址。") from None
            return ("email", value)
        try:
            return ("phone", validators.validate_phone(value))
        except forms.ValidationError:
            raise forms.ValidationError("请填写申请时所留的11位手机号码、带区号的固定电话号码或电子邮箱。") from None


class ProactiveForm(forms.Form):
    """纳入主动公开 (条例第四十四条): where the information is now published, and under what name."""

    title = forms.CharField(
        label="公开的信息名称", max_length=300, help_text="将显示在本机关的公开页面上，请勿包含申请人信息。"
    )
    url = forms.URLField(
        label="主动公开网址", max_length=500, assume_scheme="https",
        help_text="该信息现在主动公开的页面地址，如本平台的公开页面或本机关网站的栏目。",
    )  # fmt: skip


# —— Staff ————————————————————————————————————————————————————————————————————


class HandlerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class AssignForm(forms.Form):
    handler = HandlerChoiceField(label="经办人", queryset=get_user_model().objects.none())

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = (
            get_user_model()
            .objects.filter(
                memberships__department=department,
                memberships__role__in=[Membership.Role.REQUEST_HANDLER, Membership.Role.REQUEST_APPROVER],
            )
            .distinct()
            .order_by("username")
        )


class AmendmentNoticeForm(forms.Form):
    instructions = forms.CharField(label="需要补正的事项", widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(
        label="补正期限", widget=DATE, help_text=f"至少{settings.REQUEST_AMENDMENT_MIN_WORKDAYS}个工作日（条例第三十条：合理的补正期限）。"
    )

    @staticmethod
    def initial_for(today):
        return {"deadline": workdays.add_workdays(today, settings.REQUEST_AMENDMENT_MIN_WORKDAYS)}


class ExtensionRequestForm(forms.Form):
    days = forms.IntegerField(
        label="延长工作日数",
        min_value=1,
        max_value=20,
        initial=20,
        error_messages={"max_value": "延长期限最长不得超过20个工作日（条例第三十三条）。"},
    )
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批意见", choices=[("approve", "批准延期"), ("reject", "不批准")], widget=forms.RadioSelect
    )


class ConsultationForm(forms.Form):
    third_party = forms.CharField(label="第三方名称", max_length=200)
    contact = forms.CharField(label="第三方联系方式", max_length=300, required=False)
    matter = forms.CharField(label="征求意见事项", widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(
        label="征求意见的理由", widget=forms.Textarea(attrs={"rows": 2}),
        help_text="公开可能损害第三方哪些合法权益（条例第三十二条）。",
    )  # fmt: skip


class ConsultationReplyForm(forms.Form):
    replied_on = forms.DateField(label="收到意见日期", widget=DATE)
    opinion = forms.ChoiceField(label="第三方意见", choices=ThirdPartyConsultation.Opinion.choices)
    reply_text = forms.CharField(label="意见内容", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class FeeNoticeForm(forms.Form):
    basis = forms.ChoiceField(
        label="计收方式", choices=FeeNotice.Basis.choices, widget=forms.RadioSelect, initial=FeeNotice.Basis.COUNT
    )
    pages = forms.IntegerField(label="页数（按量计收时填写）", min_value=1, required=False)


class FeePaidForm(forms.Form):
    paid_on = forms.DateField(label="缴费日期", widget=DATE)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned = [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]
        for upload in cleaned:
            if upload.size > MAX_FILE_BYTES:
                raise forms.ValidationError(f"文件“{upload.name}”超过20 MB。")
        return cleaned


class ReplyForm(forms.Form):
    outcome = forms.ChoiceField(label="处理结果（年度报告表三的一行）", choices=[("", "请选择")] + STAFF_OUTCOMES)
    legal_basis = forms.CharField(
        label="法律依据", max_length=300, required=False, help_text="不填则按处理结果引用条例相应条款。"
    )
    reasons = forms.CharField(
        label="理由", widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="除予以公开外必须填写。"
    )
    files = MultipleFileField(
        label="公开的文件", required=False, help_text="予以公开或部分公开时上传，每个文件不超过20 MB。"
    )
    responsible_agency = forms.CharField(
        label="负责公开该信息的行政机关", max_length=200, required=False,
        help_text="信息不属于本机关负责公开、且能确定负责机关时填写（条例第三十六条第（五）项）。",
    )  # fmt: skip
    responsible_contact = forms.CharField(label="该机关联系方式", max_length=200, required=False)
    contact = forms.CharField(
        label="本机关联系方式", max_length=200, required=False, help_text="印在告知书上，如：联系人、电话、地址。"
    )


class AppealForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=Appeal.Kind.choices)
    filed_on = forms.DateField(label="提起日期", widget=DATE)
    notes = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AppealResultForm(forms.Form):
    result = forms.ChoiceField(
        label="结果", choices=[c for c in Appeal.Result.choices if c[0] != Appeal.Result.PENDING]
    )
    decided_on = forms.DateField(label="审结日期", widget=DATE)


class InboxFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, help_text="申请人、查询码前几位或信息内容")
    handler = forms.ChoiceField(label="经办人", required=False)
    applicant_type = forms.ChoiceField(
        label="申请人类型", required=False, choices=[("", "全部")] + ApplicantType.choices
    )

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = [("", "全部"), ("none", "未指定")] + [
            (str(user.pk), user.get_full_name() or user.get_username()) for user in handlers
        ]
