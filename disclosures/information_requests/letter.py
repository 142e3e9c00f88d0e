"""The decision letter (告知书, 条例第三十六条) as a PDF, rendered once when the reply is sent."""

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from weasyprint import HTML

from . import remedies
from .outcomes import OUTCOME_RULES, REGULATION, Outcome


def letter_context(reply):
    request = reply.request
    rule = OUTCOME_RULES[Outcome(reply.outcome)]
    return {
        "reply": reply,
        "request": request,
        "department": request.department,
        "decision": rule.decision,
        # "条例第三十六条第二项" reads in full in a letter: 《中华人民共和国政府信息公开条例》第三十六条第二项.
        "legal_basis": REGULATION + reply.legal_basis[2:]
        if reply.legal_basis.startswith("条例")
        else reply.legal_basis,
        "regulation": REGULATION,
        # 条例第五十一条 with 行政复议法第二十三条: the remedy that fits the outcome (复议前置 where it applies).
        "remedy": remedies.for_outcome(reply.outcome, request.department),
        "files": list(reply.files.all()),
    }


def render_letter(reply) -> bytes:
    html = render_to_string("information_requests/letter.html", letter_context(reply))
    return HTML(string=html).write_pdf()


def attach_letter(reply):
    pdf = render_letter(reply)
    reply.letter.save(f"告知书-{reply.request.short_code}.pdf", ContentFile(pdf), save=True)
    return pdf


def letter_response(request, information_request):
    """The stored decision letter as a download (the applicant's and the staff's views serve the same file)."""
    from django.http import Http404

    from disclosures.downloads import serve_stored

    reply = getattr(information_request, "reply", None)
    if reply is None or not reply.letter:
        raise Http404
    return serve_stored(
        request, reply.letter, f"告知书-{information_request.short_code}.pdf", content_type="application/pdf", personal=True
    )
