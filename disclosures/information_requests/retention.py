"""Retention of applicants' personal data (个人信息保护法第十九条: no longer than the purpose needs;
第四十七条第一款第（一）项: once the purpose is achieved, the processor deletes it of its own accord).

A request closed more than PERSONAL_DATA_RETENTION_YEARS ago loses the applicant's identity: name, contact
person, ID number, phone, e-mail and address, their keyed hashes, the stored decision letter (it is
addressed to the applicant by name) and the files the applicant attached (身份证明 and other material). What the annual report counts (applicant type, dates, outcome, appeals)
stays, so the published figures do not change. A request with an appeal still pending keeps its data until
the appeal is decided: the proceedings need it.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from disclosures.audit_trail import record_security_event

from . import attachments
from .models import Appeal, InformationRequest, Status
from .personal_data import ANONYMISED


def cutoff(today: datetime.date, years: int) -> datetime.date:
    """The same day `years` earlier (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def due(today: datetime.date):
    """Closed requests whose reply is older than the retention period and that are not anonymised yet."""
    return (
        InformationRequest.objects.filter(
            status=Status.CLOSED,
            anonymised_on__isnull=True,
            reply__sent_on__lt=cutoff(today, settings.PERSONAL_DATA_RETENTION_YEARS),
        )
        .exclude(appeals__result=Appeal.Result.PENDING)
        .select_related("reply")
        .order_by("pk")
    )


@transaction.atomic
def anonymise(request, *, today=None) -> InformationRequest:
    today = today or timezone.localdate()
    request.name = ANONYMISED
    request.contact_person = ANONYMISED if request.contact_person else ""
    request.id_number = request.phone = request.email = request.address = ""
    request.id_number_hash = request.lookup_hash = request.phone_hash = request.email_hash = ""
    request.anonymised_on = today
    request.save(
        update_fields=[
            "name", "contact_person", "id_number", "phone", "email", "address", "id_number_hash", "lookup_hash",
            "phone_hash", "email_hash", "anonymised_on",
        ]
    )  # fmt: skip
    reply = getattr(request, "reply", None)
    if reply is not None and reply.letter:
        reply.letter.delete(save=False)
        reply.save(update_fields=["letter"])
    attachments.delete_files(request)
    return request


def anonymise_expired(*, today=None) -> list[str]:
    """Run daily (`manage.py anonymise_requests`, and from `expire_requests`). Returns what it did."""
    today = today or timezone.localdate()
    done = []
    for request in due(today):
        anonymise(request, today=today)
        done.append(f"{request.short_code} 于{request.reply.sent_on:%Y-%m-%d}办结，已超过保存期限，申请人个人信息已匿名化")
    if done:
        record_security_event(
            "anonymise_personal_data",
            remarks=f"保存期限（办结后{settings.PERSONAL_DATA_RETENTION_YEARS}年）届满，{len(done)} 件申请的申请人个人信息已匿名化",
            count=len(done),
        )
    return done
