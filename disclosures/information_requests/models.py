"""依申请公开: an InformationRequest, its append-only events, and the records of each step.

The states and the transitions between them are written down once, here (STATUS_TRANSITIONS);
services.py is the only code that moves a request from one to another.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models, router
from django.utils import timezone

from disclosures import audit_chain, audit_context
from disclosures.append_only import AppendOnlyQuerySet

from . import personal_data
from .fields import EncryptedCharField, EncryptedEmailField
from .outcomes import Outcome

# No 0/O, 1/I/L: a code read aloud or copied by hand should survive. 31 symbols × 20 ≈ 99 bits.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 20


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def normalize_tracking_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def private_upload(instance, filename):
    # A random folder per file: the stored path says nothing about the request or the applicant.
    return f"information_requests/{uuid.uuid4().hex}/{filename}"


class ApplicantType(models.TextChoices):
    """条例第二十七条: citizens, legal persons and other organisations; the columns of report table 3."""

    NATURAL_PERSON = "natural_person", "自然人"
    COMMERCIAL = "commercial", "商业企业"
    RESEARCH = "research", "科研机构"
    PUBLIC_INTEREST = "public_interest", "社会公益组织"
    LEGAL_SERVICES = "legal_services", "法律服务机构"
    OTHER_ORGANISATION = "other_organisation", "其他"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    PASSPORT = "passport", "护照"
    HK_MACAO_PERMIT = "hk_macao_permit", "港澳居民来往内地通行证"
    TAIWAN_PERMIT = "taiwan_permit", "台湾居民来往大陆通行证"
    FOREIGN_PERMANENT_RESIDENT = "foreign_permanent_resident", "外国人永久居留身份证"
    CREDIT_CODE = "credit_code", "统一社会信用代码"


class FormWanted(models.TextChoices):
    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子"


class Delivery(models.TextChoices):
    ONLINE = "online", "在线查看下载"
    EMAIL = "email", "电子邮件"
    POST = "post", "邮寄"
    IN_PERSON = "in_person", "当面领取"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "待登记"
    IN_PROGRESS = "in_progress", "办理中"
    AWAITING_AMENDMENT = "awaiting_amendment", "待补正"
    CONSULTATION = "consultation", "征求第三方意见（计时暂停）"
    AWAITING_FEE = "awaiting_fee", "待缴费（计时暂停）"
    CLOSED = "closed", "已办结"


STATUS_TRANSITIONS = {
    Status.SUBMITTED: {Status.IN_PROGRESS},  # 登记 (第三十一条)
    Status.IN_PROGRESS: {Status.AWAITING_AMENDMENT, Status.CONSULTATION, Status.AWAITING_FEE, Status.CLOSED},
    Status.AWAITING_AMENDMENT: {Status.IN_PROGRESS, Status.CLOSED},  # amended, or abandoned (第三十条)
    Status.CONSULTATION: {Status.IN_PROGRESS},  # the third party replied or 15 working days passed (第三十二条)
    Status.AWAITING_FEE: {Status.IN_PROGRESS, Status.CLOSED},  # paid, or the notice expired (第四十二条)
    Status.CLOSED: set(),
}


class InformationRequestQuerySet(models.QuerySet):
    def for_department(self, department):
        return self.filter(department=department)


class InformationRequest(models.Model):
    """An application for government information (条例第二十九条). Never public.

    The ID number, phone, e-mail and address are stored encrypted (personal_data, fields); the keyed hashes
    beside them answer "same applicant?" and "right phone suffix?" without decrypting anything. After the
    retention period the identity is removed (retention.anonymise) and `anonymised_on` says when.
    """

    department = models.ForeignKey(
        "disclosures.Department", on_delete=models.PROTECT, related_name="information_requests", verbose_name="受理机关"
    )
    tracking_code = models.CharField(
        "查询码", max_length=TRACKING_LENGTH, unique=True, default=new_tracking_code, editable=False
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED)

    applicant_type = models.CharField("申请人类型", max_length=20, choices=ApplicantType.choices)
    name = models.CharField("姓名或名称", max_length=200)
    contact_person = models.CharField("联系人", max_length=100, blank=True)
    id_type = models.CharField("证件类型", max_length=30, choices=IdType.choices)
    id_number = EncryptedCharField("证件号码", max_length=40)
    phone = EncryptedCharField("联系电话", max_length=30)
    email = EncryptedEmailField("电子邮箱", blank=True)
    address = EncryptedCharField("通讯地址", max_length=300, blank=True)
    id_number_hash = models.CharField("证件号码检索值", max_length=64, blank=True, editable=False)
    lookup_hash = models.CharField("查询校验值", max_length=64, blank=True, editable=False)
    # Keyed hashes of the phone and e-mail: "找回查询码" finds an applicant's requests by them (recovery.py).
    phone_hash = models.CharField("联系电话检索值", max_length=64, blank=True, editable=False, db_index=True)
    email_hash = models.CharField("电子邮箱检索值", max_length=64, blank=True, editable=False, db_index=True)
    anonymised_on = models.DateField("匿名化日期", null=True, blank=True, editable=False)

    information_title = models.CharField("所需信息名称", max_length=300, blank=True)
    document_number = models.CharField("文号", max_length=100, blank=True)
    description = models.TextField("所需信息的内容描述")
    form_wanted = models.CharField("信息的载体形式", max_length=20, choices=FormWanted.choices)
    delivery = models.CharField("获取信息的方式", max_length=20, choices=Delivery.choices)

    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    privacy_consent_at = models.DateTimeField("同意隐私声明时间")
    possible_repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="疑似重复申请"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="经办人",
    )

    received_on = models.DateField("登记（受理）日期", null=True, blank=True)
    # The day the 20 working days count from: the receipt day, or the day an amended application
    # arrived (条例第三十条: the period restarts then).
    clock_started_on = models.DateField("计时起算日", null=True, blank=True)
    # Derived from the records below by clock.due_date() after every transition; stored so the
    # inbox can filter on it. None while the clock is stopped for an amendment.
    due_on = models.DateField("答复期限", null=True, blank=True)

    objects = InformationRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "政府信息公开申请"
        verbose_name_plural = "政府信息公开申请"
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["department", "status"]), models.Index(fields=["id_number_hash"])]

    def __str__(self):
        return f"{self.department} · {self.short_code} · {self.get_status_display()}"

    @property
    def short_code(self):
        return self.tracking_code[:4]

    @property
    def display_code(self):
        return "-".join(self.tracking_code[i : i + 4] for i in range(0, len(self.tracking_code), 4))

    @property
    def is_organisation(self):
        return self.applicant_type != ApplicantType.NATURAL_PERSON

    @property
    def masked_id_number(self):
        return personal_data.mask_id_number(self.id_number)

    @property
    def masked_phone(self):
        return personal_data.mask_phone(self.phone)

    @property
    def masked_email(self):
        return personal_data.mask_email(self.email)

    @property
    def masked_address(self):
        return personal_data.mask_address(self.address)

    @property
    def phone_suffix(self):
        return "".join(ch for ch in self.phone if ch.isdigit())[-4:]

    def refresh_hashes(self):
        self.id_number_hash = personal_data.id_number_hash(self.id_number)
        suffix = self.phone_suffix
        self.lookup_hash = personal_data.lookup_hash(self.tracking_code, suffix) if suffix else ""
        self.phone_hash = personal_data.phone_hash(self.phone)
        self.email_hash = personal_data.email_hash(self.email)

    def save(self, *args, **kwargs):
        # A save of chosen fields (every state change) leaves the personal data, and so its hashes, alone.
        if kwargs.get("update_fields") is None:
            self.refresh_hashes()
        super().save(*args, **kwargs)

    def summary(self, length=60):
        text = self.information_title or self.description
        return text if len(text) <= length else text[:length] + "…"

    @property
    def approved_extension(self):
        return next((e for e in self.extensions.all() if e.status == Extension.Status.APPROVED), None)

    @property
    def open_consultation(self):
        return next((c for c in self.consultations.all() if c.replied_on is None and not c.closed_without_reply), None)

    @property
    def pending_fee_notice(self):
        return next((f for f in self.fee_notices.all() if f.status == FeeNotice.Status.PENDING), None)


class RequestEvent(models.Model):
    """Append-only: who did what to which request, when. `public` events appear in the applicant's history."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "提交申请"
        RECEIVE = "receive", "登记受理"
        ASSIGN = "assign", "指定经办人"
        AMENDMENT_NOTICE = "amendment_notice", "发出补正通知"
        AMEND = "amend", "提交补正申请"
        AMENDMENT_EXPIRED = "amendment_expired", "逾期未补正"
        EXTENSION_REQUEST = "extension_request", "申请延期"
        EXTENSION_APPROVE = "extension_approve", "延期获批准"
        EXTENSION_REJECT = "extension_reject", "延期未获批准"
        CONSULTATION_START = "consultation_start", "征求第三方意见"
        CONSULTATION_REPLY = "consultation_reply", "第三方意见已收到"
        CONSULTATION_END = "consultation_end", "征求意见期满"
        FEE_NOTICE = "fee_notice", "发出收费通知"
        FEE_PAID = "fee_paid", "费用已缴纳"
        FEE_EXPIRED = "fee_expired", "逾期未缴费"
        REPLY = "reply", "答复并办结"
        APPEAL = "appeal", "记录复议或诉讼"
        APPEAL_RESULT = "appeal_result", "记录复议或诉讼结果"
        DUE_RECOMPUTED = "due_recomputed", "答复期限按节假日安排调整"
        NOTICE_DELIVERED = "notice_delivered", "通知已送达"
        NOTICE_UNDELIVERED = "notice_undelivered", "通知未能送达"
        PROACTIVE = "proactive", "纳入主动公开"

    request = models.ForeignKey(InformationRequest, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("操作", max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    at = models.DateTimeField("时间", default=timezone.now)
    public = models.BooleanField("申请人可见", default=True)
    remarks = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    user_agent = models.CharField("浏览器标识", max_length=audit_context.USER_AGENT_LENGTH, blank=True)
    previous_hash = models.CharField("上一条摘要", max_length=64, blank=True, editable=False)
    hash = models.CharField("摘要", max_length=64, blank=True, editable=False)

    # What the hash covers (disclosures/audit_chain.py). A field added later goes at the end.
    CHAIN_FIELDS = ("request", "action", "actor", "actor_name", "at", "public", "remarks", "data", "ip_address", "user_agent")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("办理记录只能追加，不能修改。")
        if self.ip_address is None and not self.user_agent:
            self.ip_address = audit_context.client_address()
            self.user_agent = audit_context.user_agent()
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        audit_chain.append(self, lambda: super(RequestEvent, self).save(*args, **kwargs), using)

    def delete(self, *args, **kwargs):
        raise ValueError("办理记录不能删除。")


class Amendment(models.Model):
    """补正 (条例第三十条): one notice per request; the clock stops until the amended application arrives."""

    request = models.OneToOneField(InformationRequest, on_delete=models.PROTECT, related_name="amendment")
    notice_on = models.DateField("通知日期")
    instructions = models.TextField("需要补正的事项")
    deadline = models.DateField("补正期限")
    late = models.BooleanField("超过登记后7个工作日发出", default=False)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_on = models.DateField("收到补正日期", null=True, blank=True)
    amended_text = models.TextField("补正内容", blank=True)

    class Meta:
        verbose_name = "补正"
        verbose_name_plural = "补正"


class Extension(models.Model):
    """延期 (条例第三十三条): at most 20 working days, once, approved by the head of the disclosure office."""

    class Status(models.TextChoices):
        PENDING = "pending", "待批准"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"

    request = models.ForeignKey(InformationRequest, on_delete=models.PROTECT, related_name="extensions")
    days = models.PositiveSmallIntegerField("延长工作日数")
    reason = models.TextField("延期理由")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField("申请日期")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("批准日期", null=True, blank=True)
    new_due_on = models.DateField("延长后的答复期限", null=True, blank=True)

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"
        ordering = ["requested_on", "pk"]


class ThirdPartyConsultation(models.Model):
    """征求第三方意见 (条例第三十二条): 15 working days to reply; the time is not counted (第三十三条)."""

    class Opinion(models.TextChoices):
        CONSENTS = "consents", "同意公开"
        OBJECTS = "objects", "不同意公开"
        OTHER = "other", "其他意见"

    request = models.ForeignKey(InformationRequest, on_delete=models.PROTECT, related_name="consultations")
    third_party = models.CharField("第三方", max_length=200)
    contact = models.CharField("第三方联系方式", max_length=300, blank=True)
    matter = models.TextField("征求意见事项")
    reason = models.TextField("征求意见的理由", blank=True, help_text="公开可能损害第三方哪些合法权益")
    sent_on = models.DateField("发出日期")
    reply_due_on = models.DateField("答复期限")
    replied_on = models.DateField("收到意见日期", null=True, blank=True)
    opinion = models.CharField("意见", max_length=10, choices=Opinion.choices, blank=True)
    reply_text = models.TextField("第三方意见", blank=True)
    closed_without_reply = models.BooleanField("逾期未答复", default=False)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "征求第三方意见"
        verbose_name_plural = "征求第三方意见"
        ordering = ["sent_on", "pk"]

    @property
    def pause_end(self):
        """The last day not counted: the reply day, or the end of the 15 working days (第三十二条)."""
        if self.replied_on is not None:
            return min(self.replied_on, self.reply_due_on)
        return self.reply_due_on


class FeeNotice(models.Model):
    """信息处理费 (条例第四十二条; 国办函〔2020〕109号): the time until payment is not counted."""

    class Basis(models.TextChoices):
        COUNT = "count", "按件计收"
        PAGES = "pages", "按量计收"

    class Status(models.TextChoices):
        PENDING = "pending", "待缴费"
        PAID = "paid", "已缴费"
        EXPIRED = "expired", "逾期未缴"

    request = models.ForeignKey(InformationRequest, on_delete=models.PROTECT, related_name="fee_notices")
    basis = models.CharField("计收方式", max_length=10, choices=Basis.choices)
    monthly_count = models.PositiveIntegerField("本月第几件申请")
    pages = models.PositiveIntegerField("页数", null=True, blank=True)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    issued_on = models.DateField("通知日期")
    pay_by = models.DateField("缴费期限")
    paid_on = models.DateField("缴费日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "收费通知"
        verbose_name_plural = "收费通知"
        ordering = ["issued_on", "pk"]

    @property
    def pause_end(self):
        return self.paid_on or self.pay_by


class Reply(models.Model):
    """答复 (条例第三十六、三十七条): the outcome, its legal basis, the decision letter and the files."""

    request = models.OneToOneField(InformationRequest, on_delete=models.PROTECT, related_name="reply")
    outcome = models.CharField("处理结果", max_length=40, choices=Outcome.choices)
    legal_basis = models.CharField("法律依据", max_length=300, blank=True)
    reasons = models.TextField("理由", blank=True)
    sent_on = models.DateField("答复日期")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    letter_number = models.CharField("告知书编号", max_length=60)
    letter = models.FileField("告知书", upload_to=private_upload, blank=True)
    contact = models.CharField("本机关联系方式", max_length=200, blank=True)
    # 条例第三十六条第（五）项: information another agency is responsible for disclosing — its name and contact.
    responsible_agency = models.CharField("负责公开该信息的行政机关", max_length=200, blank=True)
    responsible_contact = models.CharField("该机关联系方式", max_length=200, blank=True)

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"


class ReplyFile(models.Model):
    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="files")
    file = models.FileField("文件", upload_to=private_upload)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        verbose_name = "公开文件"
        verbose_name_plural = "公开文件"
        ordering = ["pk"]


class Appeal(models.Model):
    """A later 行政复议 or 行政诉讼 against the handling of a request (report table 4)."""

    class Kind(models.TextChoices):
        REVIEW = "review", "行政复议"
        LITIGATION_DIRECT = "litigation_direct", "行政诉讼（未经复议直接起诉）"
        LITIGATION_AFTER_REVIEW = "litigation_after_review", "行政诉讼（复议后起诉）"

    class Result(models.TextChoices):
        PENDING = "pending", "尚未审结"
        UPHELD = "upheld", "结果维持"
        CORRECTED = "corrected", "结果纠正"
        OTHER = "other", "其他结果"

    request = models.ForeignKey(InformationRequest, on_delete=models.PROTECT, related_name="appeals")
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    filed_on = models.DateField("提起日期")
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.PENDING)
    decided_on = models.DateField("审结日期", null=True, blank=True)
    notes = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "行政复议、行政诉讼"
        verbose_name_plural = "行政复议、行政诉讼"
        ordering = ["filed_on", "pk"]


class RequestAttachment(models.Model):
    """A file the applicant sent with the application or the amendment (条例第二十九条: 身份证明 and
    other material). Personal data: only the department's request handlers open it (views/staff.py), and
    retention.anonymise deletes the file with the rest of the identity. Checked on the way in (attachments.py)."""

    class Stage(models.TextChoices):
        APPLICATION = "application", "申请时提交"
        AMENDMENT = "amendment", "补正时提交"

    class Kind(models.TextChoices):
        IDENTITY = "identity", "身份证明"
        OTHER = "other", "其他材料"

    request = models.ForeignKey(InformationRequest, on_delete=models.PROTECT, related_name="attachments")
    stage = models.CharField("提交环节", max_length=20, choices=Stage.choices)
    kind = models.CharField("材料类型", max_length=20, choices=Kind.choices)
    name = models.CharField("文件名", max_length=200)
    file = models.FileField("文件", upload_to=private_upload, max_length=300, blank=True)
    size = models.PositiveIntegerField("大小（字节）")
    content_type = models.CharField("文件类型", max_length=100)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "申请附件"
        verbose_name_plural = "申请附件"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.name}"


class ProactiveDisclosure(models.Model):
    """依申请公开转主动公开 (条例第四十四条): information several applicants asked for and received, now published
    of the department's own accord, and where. Listed on the department's public page (proactive.py)."""

    department = models.ForeignKey(
        "disclosures.Department", on_delete=models.PROTECT, related_name="proactive_disclosures", verbose_name="机关"
    )
    title = models.CharField("信息名称", max_length=300)
    url = models.URLField("主动公开网址", max_length=500)
    requests = models.ManyToManyField(InformationRequest, related_name="proactive_disclosures", verbose_name="相关申请")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField("纳入时间", default=timezone.now)

    class Meta:
        verbose_name = "依申请公开转主动公开"
        verbose_name_plural = "依申请公开转主动公开"
        ordering = ["-marked_at", "-pk"]

    def __str__(self):
        return self.title


class AnnualReportPublication(models.Model):
    """One version of a department's 政府信息公开工作年度报告 tables (条例第四十九、五十条), published on the portal.

    The figures are frozen when the request handler submits (a JSON snapshot of report.build): the published
    report never changes, whatever is recorded later. A correction is a new version, published the same way;
    earlier versions stay published and reachable (nothing published is deleted). The head of the disclosure
    office (信息公开工作机构负责人) reviews and publishes, and may not publish what they submitted themselves.
    publication.py holds the transitions.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿（已退回）"
        SUBMITTED = "submitted", "待审核"
        PUBLISHED = "published", "已公开"

    department = models.ForeignKey(
        "disclosures.Department", on_delete=models.PROTECT, related_name="annual_reports", verbose_name="部门"
    )
    year = models.PositiveSmallIntegerField("报告年度")
    number = models.PositiveSmallIntegerField("版本", default=1)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    figures = models.JSONField("表三、表四数据（提交时固定）", default=dict, blank=True)
    correction_note = models.TextField("更正说明", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="提交人"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="审核人"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_remarks = models.TextField("审核意见", blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)

    class Meta:
        verbose_name = "政府信息公开工作年度报告"
        verbose_name_plural = "政府信息公开工作年度报告"
        ordering = ["department", "-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "number"], name="annual_report_version_unique"),
            # At most one version in preparation at a time.
            models.UniqueConstraint(
                fields=["department", "year"],
                condition=~models.Q(status="published"),
                name="annual_report_one_open_version",
            ),
        ]

    def __str__(self):
        return f"{self.department} {self.year} 年度政府信息公开工作年度报告（第{self.number}版）"

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED


class NoticeDelivery(models.Model):
    """送达: how one notice reached the applicant, and when (delivery.py).

    A notice is one of the records below, named by `kind` and `notice_id` (the kind says which model). Every
    notice to the applicant gets a record when it is issued: by e-mail or SMS it is marked delivered when the send
    succeeds, with the message id as proof; by post or in person staff record the date and the proof. A period
    the applicant has "from receiving the notice" (补正 条例第三十条, the fee) counts from the earliest delivery.
    """

    class Kind(models.TextChoices):
        AMENDMENT = "amendment", "补正通知"
        EXTENSION = "extension", "延期告知"
        CONSULTATION = "consultation", "征求第三方意见告知"
        FEE = "fee", "收费通知"
        REPLY = "reply", "答复告知书"

    class Channel(models.TextChoices):
        EMAIL = "email", "电子邮件"
        SMS = "sms", "短信"
        POST = "post", "邮寄"
        IN_PERSON = "in_person", "当面送达"
        ONLINE = "online", "网上查询页面"

    class State(models.TextChoices):
        AWAITING = "awaiting", "待送达"
        DELIVERED = "delivered", "已送达"
        FAILED = "failed", "未能送达"

    request = models.ForeignKey(InformationRequest, on_delete=models.PROTECT, related_name="deliveries")
    kind = models.CharField("通知", max_length=20, choices=Kind.choices)
    notice_id = models.PositiveBigIntegerField("通知编号")
    channel = models.CharField("送达方式", max_length=20, choices=Channel.choices)
    state = models.CharField("送达状态", max_length=10, choices=State.choices, default=State.AWAITING)
    delivered_on = models.DateField("送达日期", null=True, blank=True)
    # The tracking number (邮寄), the number of the signed 送达回证 (当面送达), the provider's message id.
    proof = models.CharField("送达凭证", max_length=200, blank=True)
    failure = models.CharField("未能送达的原因", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "送达记录"
        verbose_name_plural = "送达记录"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "kind", "notice_id"]), models.Index(fields=["state"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_channel_display()} · {self.get_state_display()}"
