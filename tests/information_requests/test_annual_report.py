"""The annual report's tables 3 and 4 on a year of mixed requests, with carry-overs both ways
(条例第四十九、五十条; 国办公开办函〔2021〕30号; REPORT.md)."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from disclosures.information_requests import report, services
from disclosures.information_requests.models import Reply

from .conftest import CREDIT_CODE, file_request

D = datetime.date
pytestmark = pytest.mark.django_db
ORG = {"id_type": "credit_code", "id_number": CREDIT_CODE, "contact_person": "赵六"}


def handled(department, handler, received_on, outcome=None, replied_on=None, applicant_type="natural_person", **extra):
    request = file_request(
        department, on=received_on, applicant_type=applicant_type, description=f"{received_on} {outcome}", **extra
    )
    services.receive(request, actor=handler, today=received_on)
    if outcome:
        reasons = "" if outcome == "disclosed" else "理由见告知书"
        services.send_reply(request, outcome=outcome, reasons=reasons, actor=handler, today=replied_on)
    return request


@pytest.fixture
def year_of_requests(department, handler):
    """Requests of 2025–2027 for 抚顺市工业和信息化局 (see the expected figures in the tests)."""
    r = {}
    r["old"] = handled(department, handler, D(2025, 11, 3), "disclosed", D(2025, 11, 20))
    r["carried_1"] = handled(department, handler, D(2025, 12, 22), "disclosed", D(2026, 1, 8))
    r["carried_2"] = handled(
        department, handler, D(2025, 12, 26), "withheld_third_party", D(2026, 2, 3), "commercial", **ORG
    )
    handled(department, handler, D(2026, 3, 2), "partly_disclosed", D(2026, 3, 20))
    r["not_held"] = handled(
        department, handler, D(2026, 5, 6), "unavailable_not_held", D(2026, 5, 20), "research", **ORG
    )
    abandoned = handled(department, handler, D(2026, 4, 1))
    services.send_amendment_notice(
        abandoned, instructions="请写明年度", deadline=D(2026, 4, 24), actor=handler, today=D(2026, 4, 2)
    )
    services.close_unamended(abandoned, today=D(2026, 4, 27))
    handled(department, handler, D(2026, 6, 1), "not_processed_repeat", D(2026, 6, 5), "other_organisation", **ORG)
    handled(department, handler, D(2026, 12, 21), None, None, "legal_services", **ORG)  # open at the year's end
    handled(department, handler, D(2026, 12, 28), "disclosed", D(2027, 1, 5))  # answered next year
    file_request(department, on=D(2026, 12, 30), description="submitted, never registered")  # new in 2026, carried over
    services.record_appeal(r["carried_2"], kind="review", filed_on=D(2026, 2, 10), actor=handler, today=D(2026, 2, 10))
    services.record_appeal_result(
        r["carried_2"].appeals.get(), result="upheld", decided_on=D(2026, 4, 1), actor=handler, today=D(2026, 4, 1)
    )
    services.record_appeal(
        r["not_held"], kind="litigation_direct", filed_on=D(2026, 6, 10), actor=handler, today=D(2026, 6, 10)
    )
    late = services.record_appeal(
        r["not_held"], kind="review", filed_on=D(2026, 11, 2), actor=handler, today=D(2026, 11, 2)
    )
    services.record_appeal_result(
        late, result="corrected", decided_on=D(2027, 1, 10), actor=handler, today=D(2027, 1, 10)
    )
    return r


EXPECTED_2026 = '''申请人情况,自然人,商业企业,科研机构,社会公益组织,法律服务机构,其他,总计
一、本年新收政府信息公开申请数量,4,0,1,0,1,1,7
二、上年结转政府信息公开申请数量,1,1,0,0,0,0,2
三、本年度办理结果,,,,,,,
（一）予以公开,1,0,0,0,0,0,1
（二）部分公开（区分处理的，只计这一情形，不计其他情形）,1,0,0,0,0,0,1
（三）不予公开,,,,,,,
1.属于国家秘密,0,0,0,0,0,0,0
2.其他法律行政法规禁止公开,0,0,0,0,0,0,0
"3.危及""三安全一稳定""",0,0,0,0,0,0,0
4.保护第三方合法权益,0,1,0,0,0,0,1
5.属于三类内部事务信息,0,0,0,0,0,0,0
6.属于四类过程性信息,0,0,0,0,0,0,0
7.属于行政执法案卷,0,0,0,0,0,0,0
8.属于行政查询事项,0,0,0,0,0,0,0
（四）无法提供,,,,,,,
1.本机关不掌握相关政府信息,0,0,1,0,0,0,1
2.没有现成信息需要另行制作,0,0,0,0,0,0,0
3.补正后申请内容仍不明确,0,0,0,0,0,0,0
（五）不予处理,,,,,,,
1.信访举报投诉类申请,0,0,0,0,0,0,0
2.重复申请,0,0,0,0,0,1,1
3.要求提供公开出版物,0,0,0,0,0,0,0
4.无正当理由大量反复申请,0,0,0,0,0,0,0
5.要求行政机关确认或重新出具已获取信息,0,0,0,0,0,0,0
（六）其他处理,,,,,,,
1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请,1,0,0,0,0,0,1
2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请,0,0,0,0,0,0,0
3.其他,0,0,0,0,0,0,0
（七）总计,3,1,1,0,0,1,6
四、结转下年度继续办理,2,0,0,0,1,0,3

行政复议·结果维持,行政复议·结果纠正,行政复议·其他结果,行政复议·尚未审结,行政复议·总计,行政诉讼·未经复议直接起诉·结果维持,行政诉讼·未经复议直接起诉·结果纠正,行政诉讼·未经复议直接起诉·其他结果,行政诉讼·未经复议直接起诉·尚未审结,行政诉讼·未经复议直接起诉·总计,行政诉讼·复议后起诉·结果维持,行政诉讼·复议后起诉·结果纠正,行政诉讼·复议后起诉·其他结果,行政诉讼·复议后起诉·尚未审结,行政诉讼·复议后起诉·总计
1,0,0,1,2,0,0,0,1,1,0,0,0,0,0
'''


def run_command(*args):
    out = io.StringIO()
    call_command("annual_report", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_tables_3_and_4_as_csv(year_of_requests):
    assert run_command("--department", "抚顺市工业和信息化局", "--year", "2026") == EXPECTED_2026


def test_requests_open_at_the_years_end_are_carried_into_the_next_year(year_of_requests, department):
    r2025, r2027 = report.build(department, 2025), report.build(department, 2027)
    assert r2025.row("一、本年新收政府信息公开申请数量").values == [2, 1, 0, 0, 0, 0, 3]
    assert r2025.row("（一）予以公开").values[-1] == 1
    assert r2025.row("四、结转下年度继续办理").values == [1, 1, 0, 0, 0, 0, 2]
    # What 2026 carried out, 2027 carries in: the legal-services request, the one answered on 2027-01-05 and
    # the one never registered.
    assert r2027.row("二、上年结转政府信息公开申请数量").values == [2, 0, 0, 0, 1, 0, 3]
    assert r2027.row("（一）予以公开").values == [1, 0, 0, 0, 0, 0, 1]
    assert r2027.row("四、结转下年度继续办理").values == [1, 0, 0, 0, 1, 0, 2]
    assert r2027.table4[:5] == [0, 0, 0, 0, 0]  # the review filed in 2026 belongs to 2026's table


def test_a_report_whose_identity_does_not_hold_is_refused(year_of_requests, department):
    # A reply dated before its receipt (a data-entry error) breaks 一 + 二 = 三(七) + 四 for 2026.
    Reply.objects.filter(request=year_of_requests["not_held"]).update(sent_on=D(2025, 12, 31))
    with pytest.raises(
        report.ReportError, match="“科研机构”列勾稽关系不成立：第一项加第二项为 1，第三项（七）总计加第四项为 0"
    ):
        report.build(department, 2026)
    with pytest.raises(CommandError, match="勾稽关系不成立"):
        run_command("--department", "抚顺市工业和信息化局", "--year", "2026")


def test_the_command_names_an_unknown_department(db):
    with pytest.raises(CommandError, match="没有名为“不存在的局”的部门"):
        run_command("--department", "不存在的局", "--year", "2026")


def test_the_staff_page_and_the_xlsx_show_the_same_tables(client, year_of_requests, department, handler):
    client.force_login(handler)
    page = client.get(reverse("information_requests:report", args=[department.pk]) + "?year=2026").content.decode()
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in page
    row = page.split('<th scope="row">（七）总计</th>')[1].split("</tr>")[0]
    assert [cell.split(">")[1] for cell in row.split("</td>")[:-1]] == ["3", "1", "1", "0", "0", "1", "6"]

    response = client.get(reverse("information_requests:report_xlsx", args=[department.pk]) + "?year=2026")
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''annual-report-{department.pk}-2026.xlsx"
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["表三"]
    labels = [sheet.cell(row=n, column=1).value for n in range(6, 36)]
    assert labels[0] == "一、本年新收政府信息公开申请数量" and labels[-1] == "四、结转下年度继续办理"
    total = next(n for n in range(6, 36) if sheet.cell(row=n, column=1).value == "（七）总计")
    assert [sheet.cell(row=total, column=c).value for c in range(3, 10)] == [3, 1, 1, 0, 0, 1, 6]
    assert [book["表四"].cell(row=5, column=c).value for c in range(1, 6)] == [1, 0, 0, 1, 2]
