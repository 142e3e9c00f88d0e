"""信息处理费 (条例第四十二条; 《政府信息公开信息处理费管理办法》, 国办函〔2020〕109号).

Normally free. Staff decide whether to charge; these functions say what the rule allows.
"""

from decimal import Decimal

from django.utils import timezone


def fee_by_count(monthly_count: int) -> Decimal:
    """109号第四条 (按件计收): per applicant per calendar month, the 1st–10th are free, the 11th–30th cost
    100 元 each, and from the 31st each block of 10 raises the price by 100 元 per request."""
    if monthly_count <= 10:
        return Decimal("0")
    if monthly_count <= 30:
        return Decimal("100")
    return Decimal(100 + 100 * ((monthly_count - 31) // 10 + 1))


def fee_by_pages(pages: int) -> Decimal:
    """109号第五条 (按量计收), one request, cumulative: up to 30 pages free; pages 31–100 at 10 元,
    101–200 at 20 元, over 200 at 40 元 each."""
    bands = [(30, 0), (100, 10), (200, 20), (None, 40)]
    total, lower = 0, 0
    for upper, price in bands:
        top = pages if upper is None else min(pages, upper)
        if top > lower:
            total += (top - lower) * price
        if upper is None or pages <= upper:
            break
        lower = upper
    return Decimal(total)


def monthly_count(request) -> int:
    """Which request of this applicant to this department this one is, in its calendar month."""
    from django.db.models import Q

    from .models import InformationRequest

    if not request.id_number_hash:
        return 0  # anonymised (retention.py): the applicant can no longer be told apart
    submitted = timezone.localtime(request.submitted_at)
    month_start = submitted.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (
        InformationRequest.objects.filter(
            department=request.department,
            id_type=request.id_type,
            id_number_hash=request.id_number_hash,
            submitted_at__gte=month_start,
        )
        .filter(Q(submitted_at__lt=request.submitted_at) | Q(submitted_at=request.submitted_at, pk__lte=request.pk))
        .count()
    )
