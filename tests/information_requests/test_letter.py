"""The decision letter (告知书): a Chinese PDF whose text can be extracted (pdftotext, poppler-utils)."""

import datetime
import shutil
import subprocess

import pytest

from disclosures.information_requests import services
from disclosures.information_requests.letter import render_letter

from .conftest import received

D = datetime.date
pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "pdftotext missing: apt-get install poppler-utils (make system-packages)"
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def squeeze(text):
    return "".join(text.split())


def test_a_partial_disclosure_letter_states_everything_the_applicant_needs(department, handler, frozen, tmp_path):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    services.send_amendment_notice(request, instructions="请写明年度", deadline=D(2026, 10, 15), actor=handler)
    frozen(D(2026, 9, 22))
    services.submit_amendment(request, "2025年度")
    frozen(D(2026, 10, 15))
    from django.core.files.uploadedfile import SimpleUploadedFile

    reply = services.send_reply(
        request,
        outcome="partly_disclosed",
        reasons="分配名单中自然人的身份证号码属于个人隐私，已作区分处理。",
        files=[SimpleUploadedFile("资金分配结果.pdf", b"%PDF-1.4")],
        actor=handler,
    )
    text = squeeze(pdf_text(reply.letter.read(), tmp_path))
    for expected in [
        "抚顺市工业和信息化局",  # letterhead and signature
        "政府信息公开申请答复告知书",
        "抚顺市工业和信息化局依申请公开告知〔2026〕第1号",
        "王小明：",
        "本机关于2026年9月18日登记，并于2026年9月22日收到补正申请",
        "2025年度工业企业技术改造专项资金分配结果",
        "根据《中华人民共和国政府信息公开条例》第三十七条的规定",
        "本机关对可以公开的部分予以公开",
        "理由：分配名单中自然人的身份证号码属于个人隐私",
        "资金分配结果.pdf",
        "六十日内向抚顺市人民政府申请行政复议",
        "六个月内向人民法院提起行政诉讼",
        "2026年10月15日",
    ]:
        assert expected in text, expected
    assert "11010519491231002X" not in text  # the applicant's ID number is not printed


def test_a_refusal_cites_its_ground(department, handler, frozen, tmp_path):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    reply = services.send_reply(request, outcome="withheld_process", reasons="所申请的是会议讨论记录。", actor=handler)
    text = squeeze(pdf_text(render_letter(reply), tmp_path))
    assert "根据《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第三项的规定" in text
    assert "过程性信息，本机关不予公开" in text


def test_a_letter_names_the_responsible_agency_carries_a_seal_place_and_contact_and_no_tracking_code(
    department, handler, frozen, tmp_path
):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    reply = services.send_reply(
        request, outcome="unavailable_not_held", reasons="该信息由市财政局制作并保存。", actor=handler,
        contact="信息公开办公室 024-57000000，抚顺市新抚区中央大街1号",
        responsible_agency="抚顺市财政局", responsible_contact="024-57111111",
    )  # fmt: skip
    text = squeeze(pdf_text(render_letter(reply), tmp_path))
    assert (
        "该政府信息不属于本机关负责公开。负责公开该政府信息的行政机关为抚顺市财政局，联系方式：024-57111111"
        "（《中华人民共和国政府信息公开条例》第三十六条第（五）项）。" in text
    )
    assert "（盖章）" in text
    assert "联系方式：信息公开办公室024-57000000，抚顺市新抚区中央大街1号" in text
    assert request.tracking_code not in text and request.display_code.replace("-", "") not in text
    assert "查询码" not in text


def test_the_responsible_agency_needs_its_contact_and_fits_only_information_not_held(department, handler, frozen):
    frozen(D(2026, 9, 18))
    request = received(department, handler, D(2026, 9, 18))
    with pytest.raises(services.RequestError, match="请填写负责公开该信息的机关的联系方式"):
        services.send_reply(request, outcome="unavailable_not_held", reasons="x", actor=handler, responsible_agency="抚顺市财政局")
    with pytest.raises(services.RequestError, match="只有“本机关不掌握相关政府信息”时才告知负责公开的机关"):
        services.send_reply(
            request, outcome="withheld_process", reasons="x", actor=handler,
            responsible_agency="抚顺市财政局", responsible_contact="024-57111111",
        )  # fmt: skip
    request.refresh_from_db()
    assert request.status == "in_progress"
