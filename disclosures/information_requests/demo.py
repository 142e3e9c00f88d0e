"""Demo requests for `make run`: every state, several outcomes, one carried over from last year.

Dates are set relative to today, so the inbox tabs (due soon, overdue, paused) have content
whenever the demo is loaded. Every step goes through services.py, as a clerk's would.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from disclosures import workdays
from disclosures.models import Department, Membership

from . import delivery, services
from .models import InformationRequest
from .validators import credit_code_checksum, resident_id_checksum

DEPARTMENT = "抚顺市工业和信息化局"
PASSWORD = "demo-password-2025"
USERS = [
    ("fushun_handler", "抚顺工信局依申请公开经办人", Membership.Role.REQUEST_HANDLER),
    ("fushun_approver", "抚顺工信局信息公开负责人", Membership.Role.REQUEST_APPROVER),
]


def person(n):
    first17 = f"21040219850{n % 9 + 1}1{n % 10}{n:03d}"  # born 1985-0M-1D in 抚顺市新抚区
    return {
        "applicant_type": "natural_person",
        "id_type": "resident_id",
        "id_number": first17 + resident_id_checksum(first17),
    }


def organisation(kind, n):
    first17 = f"9121040{n:02d}MA0{n:05d}"[:17].ljust(17, "0")
    return {
        "applicant_type": kind, "id_type": "credit_code", "id_number": first17 + credit_code_checksum(first17),
        "contact_person": "刘联系",
    }  # fmt: skip


def workdays_before(day, count):
    cal = workdays.calendar(day - datetime.timedelta(days=300), day)
    while count > 0:
        day -= datetime.timedelta(days=1)
        if cal.is_workday(day):
            count -= 1
    return day


def load(stdout):
    department = Department.objects.filter(name=DEPARTMENT).first()
    if department is None:
        stdout.write(f"未找到{DEPARTMENT}，跳过依申请公开演示数据。")
        return
    User = get_user_model()
    users = {}
    for username, full_name, role in USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name})
        if created:
            user.set_password(PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, role=role, department=department)
        users[role] = user
        stdout.write(f"  {username}  {full_name}（{dict(Membership.Role.choices)[role]}：{DEPARTMENT}）")
    if InformationRequest.objects.filter(department=department).exists():
        stdout.write("已存在：依申请公开演示申请")
        return
    handler, approver = users[Membership.Role.REQUEST_HANDLER], users[Membership.Role.REQUEST_APPROVER]
    count = _build(department, handler, approver, timezone.localdate())
    stdout.write(
        f"依申请公开演示申请：{count} 件（办理：/requests/staff/，年度报告：/requests/staff/departments/{department.pk}/report/）"
    )


def _build(department, handler, approver, today):
    made = []

    def apply(on, name, title, description, applicant, **extra):
        data = {
            "department": department, "name": name, "contact_person": "", "phone": f"1390413{len(made):04d}",
            "email": "", "address": "辽宁省抚顺市新抚区", "information_title": title, "document_number": "",
            "description": description, "form_wanted": "electronic", "delivery": "online",
        }  # fmt: skip
        data.update(applicant)
        data.update(extra)
        moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time(10, len(made) % 60)))
        request = services.submit_request(data, now=moment)
        made.append(request)
        return request

    def registered(on, *args, **kwargs):
        request = apply(on, *args, **kwargs)
        return services.receive(request, actor=handler, today=on)

    last_year = today.year - 1
    # Carried over: received in December last year, answered in January.
    carried = registered(
        datetime.date(last_year, 12, 14), "陈建国", f"{last_year}年度中小企业发展专项资金拨付情况",
        "请提供该专项资金的拨付明细（企业名称、金额、拨付日期）。", person(1),
    )  # fmt: skip
    services.send_reply(
        carried,
        outcome="disclosed",
        files=[
            ContentFile("企业名称,金额,拨付日期\n抚顺某机械有限公司,50.00,2025-11-20\n".encode(), name="拨付明细.csv")
        ],
        actor=handler,
        today=workdays.add_workdays(datetime.date(today.year, 1, 1), 3),
    )

    start = workdays_before(today, 150)
    partly = registered(
        start,
        "抚顺市某机械制造有限公司",
        "技术改造项目评审结果",
        "请提供本公司参与的技术改造项目评审得分及排名。",
        organisation("commercial", 2),
    )
    services.start_consultation(partly, third_party="抚顺某化工有限公司", contact="024-5766xxxx", matter="评审材料中是否含其商业秘密", reason="申报材料可能含有其商业秘密",
                                actor=handler, today=workdays.add_workdays(start, 3))  # fmt: skip
    services.record_consultation_reply(partly.consultations.get(), opinion="objects", reply_text="评审材料含工艺参数，不同意公开",
                                       replied_on=workdays.add_workdays(start, 9), actor=handler, today=workdays.add_workdays(start, 9))  # fmt: skip
    services.send_reply(partly, outcome="partly_disclosed", reasons="评审材料中第三方的工艺参数属于商业秘密（条例第十五条），已作区分处理。",
                        files=[ContentFile("项目,得分,排名\n数控机床改造,86.5,3\n".encode(), name="评审结果（区分处理后）.csv")], actor=handler,
                        today=workdays.add_workdays(start, 16))  # fmt: skip

    start = workdays_before(today, 120)
    withheld = registered(start, "李华", "专项资金评审会会议记录", "请提供评审会的讨论记录。", person(3))
    services.send_reply(withheld, outcome="withheld_process", reasons="所申请的会议讨论记录属于过程性信息。", actor=handler,
                        today=workdays.add_workdays(start, 12))  # fmt: skip
    services.record_appeal(withheld, kind="review", filed_on=workdays.add_workdays(start, 20), notes="向抚顺市人民政府申请行政复议",
                           actor=handler, today=workdays.add_workdays(start, 20))  # fmt: skip

    start = workdays_before(today, 100)
    not_held = registered(
        start,
        "辽宁某大学经济研究所",
        "全市工业用地出让台账",
        "请提供2020年以来全市工业用地出让台账。",
        organisation("research", 4),
    )
    services.send_reply(not_held, outcome="unavailable_not_held", reasons="工业用地出让由自然资源部门负责，请向抚顺市自然资源局申请。",
                        actor=handler, today=workdays.add_workdays(start, 8))  # fmt: skip

    start = workdays_before(today, 80)
    repeat = registered(
        start,
        "陈建国",
        f"{last_year}年度中小企业发展专项资金拨付情况",
        "请提供该专项资金的拨付明细（企业名称、金额、拨付日期）。",
        person(1),
    )
    services.send_reply(repeat, outcome="not_processed_repeat", reasons=f"您的申请与此前申请（查询码 {carried.short_code}…）内容相同，已答复。",
                        actor=handler, today=workdays.add_workdays(start, 2))  # fmt: skip

    start = workdays_before(today, 60)
    abandoned = registered(start, "周某", "有关文件", "请提供你局的那个文件。", person(6))
    notice = services.send_amendment_notice(abandoned, instructions="请写明所需文件的名称、文号或内容特征。", deadline=workdays.add_workdays(start, 17),
                                            actor=handler, today=workdays.add_workdays(start, 2))  # fmt: skip
    # The demo applicants gave no e-mail: the notice went by post, received the day it was sent (条例第三十条:
    # the period counts from receipt).
    delivery.record_delivery(abandoned, notice=delivery.notice_key(notice), channel="post", delivered_on=notice.notice_on,
                             proof="演示邮件单号 1100000000000", actor=handler)  # fmt: skip
    services.close_unamended(abandoned, today=workdays.add_workdays(start, 18))

    # Open requests, one per tab of the inbox.
    apply(today, "孙丽", "2026年度工业和信息化专项资金申报指南", "请提供申报指南全文及附件。", person(7))
    apply(
        today,
        "陈建国",
        f"{last_year}年度中小企业发展专项资金拨付情况",
        "请提供该专项资金的拨付明细（企业名称、金额、拨付日期）。",
        person(1),
    )
    registered(
        workdays_before(today, 5),
        "抚顺市某律师事务所",
        "行政处罚裁量基准",
        "请提供本局现行行政处罚裁量基准文件。",
        organisation("legal_services", 8),
    )
    registered(
        workdays_before(today, 18),
        "赵敏",
        "2026年度部门整体支出绩效目标",
        "请提供本局2026年度部门整体支出绩效目标表。",
        person(9),
    )
    registered(
        workdays_before(today, 23),
        "抚顺市某公益基金会",
        "企业帮扶资金使用情况",
        "请提供2025年企业帮扶资金的使用情况。",
        organisation("public_interest", 10),
    )

    start = workdays_before(today, 3)
    amending = registered(start, "钱某", "某项目的材料", "请提供该项目材料。", person(11))
    services.send_amendment_notice(
        amending,
        instructions="请写明项目名称和年度。",
        deadline=workdays.add_workdays(today, 15),
        actor=handler,
        today=today,
    )

    start = workdays_before(today, 6)
    consulting = registered(
        start,
        "抚顺市某商会",
        "会员企业技改补助名单",
        "请提供2025年获得技改补助的企业名单及金额。",
        organisation("other_organisation", 12),
    )
    services.start_consultation(consulting, third_party="名单所列12家企业", contact="经各企业联系人", matter="补助金额是否涉及商业秘密", reason="申报材料可能含有其商业秘密",
                                actor=handler, today=workdays_before(today, 2))  # fmt: skip

    start = workdays_before(today, 10)
    charging = registered(
        start,
        "吴某",
        "2015—2025年全部会议纪要",
        "请提供十年来全部局长办公会议纪要的纸质复印件。",
        person(13),
        form_wanted="paper",
        delivery="post",
    )
    services.issue_fee_notice(charging, basis="pages", pages=120, actor=handler, today=workdays_before(today, 1))

    start = workdays_before(today, 15)
    extended = registered(
        start, "郑某", "2018年以来的招商引资协议", "请提供2018年以来本局签订的招商引资协议。", person(14)
    )
    extension = services.request_extension(
        extended, days=15, reason="所需协议分散在多个科室的纸质档案中，需要检索汇总", actor=handler, today=today
    )
    services.approve_extension(extension, actor=approver, today=today)
    return len(made)
