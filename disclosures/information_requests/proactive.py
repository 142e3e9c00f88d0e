"""依申请公开转主动公开 (条例第四十四条): "多个申请人就相同政府信息向同一行政机关提出公开申请，且该政府信息属于可以
公开的，行政机关可以纳入主动公开的范围。"

The staff pages find such information: requests to one department answered 予以公开 or 部分公开 (Reply.outcome in
DISCLOSING), from at least REQUEST_PROACTIVE_MIN_APPLICANTS different applicants (by the keyed hash of the ID
number), asking for the same information. "The same" is judged on normalised text (NFKC, no spaces or
punctuation, no stock phrases such as 请提供), compared with difflib's ratio against
REQUEST_PROACTIVE_SIMILARITY; the same document number is the same information, and different years
(2024年 and 2025年) never are. It is a prompt: the handler decides, and `mark` records where the information is now
published. The department's public page lists the marks.
"""

import difflib
import re
import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max

from disclosures import page_cache

from . import services
from .models import InformationRequest, ProactiveDisclosure, RequestEvent
from .outcomes import DISCLOSING

PROMPT = "多个申请人申请公开相同政府信息且已公开，可纳入主动公开范围（条例第四十四条）"
# The disclosed requests of a department compared with each other, most recent first: enough for years of requests.
POOL_SIZE = 400
STOCK_PHRASES = re.compile(
    r"请(?:予以)?提供|申请(?:公开|获取)?|公开|我(?:想|要|需要)|贵(?:局|单位|机关|委|办)|本(?:局|单位|机关)|有关|相关|关于|获取|的"
)
YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def min_applicants() -> int:
    return getattr(settings, "REQUEST_PROACTIVE_MIN_APPLICANTS", 2)


def threshold() -> float:
    return getattr(settings, "REQUEST_PROACTIVE_SIMILARITY", 0.8)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZC")
    return STOCK_PHRASES.sub("", text)


def _text(r) -> str:
    return normalise(f"{r.information_title}{r.description}")


def _years(r) -> set:
    return set(YEAR.findall(unicodedata.normalize("NFKC", f"{r.information_title} {r.document_number} {r.description}")))


def _document(r) -> str:
    return normalise(r.document_number)


def similar(a, b) -> bool:
    """Whether two requests ask for the same information."""
    if _document(a) and _document(a) == _document(b):
        return True
    years_a, years_b = _years(a), _years(b)
    if years_a and years_b and years_a != years_b:
        return False
    text_a, text_b = _text(a), _text(b)
    if not text_a or not text_b:
        return False
    matcher = difflib.SequenceMatcher(None, text_a, text_b, autojunk=False)
    limit = threshold()
    return matcher.real_quick_ratio() >= limit and matcher.quick_ratio() >= limit and matcher.ratio() >= limit


def disclosed(department):
    """The department's requests answered with the information (予以公开, 部分公开), most recent first. The
    anonymised are left out: without the hash of the ID number nobody can tell who asked."""
    return list(
        InformationRequest.objects.filter(
            department=department, reply__outcome__in=DISCLOSING, anonymised_on__isnull=True
        )
        .prefetch_related("proactive_disclosures")
        .order_by("-reply__sent_on", "-pk")[:POOL_SIZE]
    )


def applicants(group) -> int:
    return len({r.id_number_hash for r in group if r.id_number_hash})


def marked(group):
    """The mark already made for any request of the group, if one was."""
    return next((p for r in group for p in r.proactive_disclosures.all()), None)


def group_for(request, pool=None) -> list:
    """The disclosed requests asking for the same information as `request` (itself included, if disclosed)."""
    pool = disclosed(request.department) if pool is None else pool
    return [r for r in pool if r.pk == request.pk or similar(request, r)]


def for_request(request) -> dict | None:
    """What the staff detail page shows: the prompt (the group qualifies and nothing is marked yet) or the mark
    (the information is already published proactively). None when neither applies."""
    group = group_for(request)
    existing = marked(group)
    if existing is not None:
        return {"group": group, "existing": existing, "applicants": applicants(group)}
    if applicants(group) >= min_applicants():
        return {"group": group, "existing": None, "applicants": applicants(group), "prompt": PROMPT}
    return None


def _clusters(pool) -> list[list]:
    clusters = []
    for r in pool:
        for cluster in clusters:
            if similar(cluster[0], r):
                cluster.append(r)
                break
        else:
            clusters.append([r])
    return clusters


def inbox_prompts(department) -> list[dict]:
    """The groups of the department not yet marked that qualify, for the inbox: each with its most recent
    request (linked), its title and how many applicants. Kept in the cache until a reply or a mark changes."""
    state = InformationRequest.objects.filter(department=department, reply__outcome__in=DISCLOSING).aggregate(
        last=Max("reply__pk")
    )["last"]
    marks = ProactiveDisclosure.objects.filter(department=department).aggregate(last=Max("pk"))["last"]
    key = f"proactive-prompts:{department.pk}:{state}:{marks}:{min_applicants()}:{threshold()}"
    prompts = cache.get(key)
    if prompts is None:
        prompts = [
            {"pk": cluster[0].pk, "short_code": cluster[0].short_code, "summary": cluster[0].summary(40),
             "applicants": applicants(cluster), "requests": len(cluster)}
            for cluster in _clusters(disclosed(department))
            if applicants(cluster) >= min_applicants() and marked(cluster) is None
        ]  # fmt: skip
        cache.set(key, prompts, 3600)
    return prompts


def published_for(department) -> list[ProactiveDisclosure]:
    """The department page's list: 依申请公开转主动公开 (nothing of the applicants in it)."""
    return list(ProactiveDisclosure.objects.filter(department=department).only("title", "url", "marked_at"))


def _published_state(department_id):
    """What of the marks the department's public page shows, for its page cache key (page_cache)."""
    return ProactiveDisclosure.objects.filter(department_id=department_id).order_by("pk").values_list("pk", "title", "url")


PUBLISHED_STATE = page_cache.StateQuery(_published_state)


@transaction.atomic
def mark(request, *, title: str, url: str, actor) -> ProactiveDisclosure:
    """纳入主动公开: the handler records where the information several applicants received is now published.
    Checks the role and that the group still qualifies, links every request of the group, appends an internal
    event to each. The department page lists it at once: its cache key reads the marks (PUBLISHED_STATE)."""
    services._require(actor, request)
    group = group_for(request)
    existing = marked(group)
    if existing is not None:
        raise services.RequestError(f"该信息已于{existing.marked_at:%Y年%m月%d日}纳入主动公开。")
    if applicants(group) < min_applicants():
        raise services.RequestError(
            f"申请公开该信息并已获公开的申请人不足{min_applicants()}个，不属于条例第四十四条所述情形。"
        )
    title, url = title.strip(), url.strip()
    if not title or not url:
        raise services.RequestError("请填写公开的信息名称和主动公开网址。")
    disclosure = ProactiveDisclosure.objects.create(department=request.department, title=title, url=url, marked_by=actor)
    disclosure.requests.set(group)
    for member in group:
        services.record(
            member, RequestEvent.Action.PROACTIVE, actor=actor, public=False,
            remarks=f"多个申请人申请公开的相同信息已纳入主动公开（条例第四十四条）：{title} {url}",
            proactive_disclosure=disclosure.pk,
        )  # fmt: skip
    return disclosure
