"""What an applicant may do against the handling of a request, to whom and by when (条例第五十一条).

《中华人民共和国行政复议法》(2023 年修订, 2024 年 1 月 1 日起施行) 第二十三条第一款 makes 行政复议 come first
(复议前置) — the applicant may sue only against the 复议 decision — where
- 第（四）项: "申请政府信息公开，行政机关不予公开": every 不予公开 outcome, and the part withheld from a
  部分公开 (条例第三十七条);
- 第（三）项: the agency fails its legal duty (未履行法定职责), as when it does not answer within the time limit.
Against any other outcome the applicant chooses: 行政复议 within sixty days of learning of the decision
(行政复议法第二十条第一款), or 行政诉讼 within six months (行政诉讼法第四十六条第一款). After a 复议 decision,
suit lies within fifteen days of receiving it (行政诉讼法第四十五条). The 复议 body for a department of a local
people's government is that government (行政复议法第二十四条第一款第（一）项).
"""

from dataclasses import dataclass

from .outcomes import Outcome

REVIEW_LAW = "《中华人民共和国行政复议法》"
LITIGATION_LAW = "《中华人民共和国行政诉讼法》"

# 第二十三条第一款第（四）项: 申请政府信息公开，行政机关不予公开.
WITHHELD = {
    Outcome.WITHHELD_STATE_SECRET,
    Outcome.WITHHELD_PROHIBITED_BY_LAW,
    Outcome.WITHHELD_SECURITY_STABILITY,
    Outcome.WITHHELD_THIRD_PARTY,
    Outcome.WITHHELD_INTERNAL_AFFAIRS,
    Outcome.WITHHELD_PROCESS,
    Outcome.WITHHELD_ENFORCEMENT_FILE,
    Outcome.WITHHELD_SPECIAL_ACCESS,
}


@dataclass(frozen=True)
class Remedy:
    review_first: bool  # 复议前置: 行政复议 first, suit only against its decision
    text: str  # the sentence the letter and the status page print


def review_body(department) -> str:
    """行政复议法第二十四条第一款第（一）项: a department is reviewed by the people's government of its level."""
    return f"{department.region.name}人民政府"


def _review_first(body, what, clause):
    return (
        f"{what}，您应当自收到本告知书之日起六十日内先向{body}申请行政复议"
        f"（{REVIEW_LAW}第二十条第一款、第二十三条第一款第（{clause}）项）；"
        f"对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内向人民法院提起行政诉讼"
        f"（{LITIGATION_LAW}第四十五条）。"
    )


def for_outcome(outcome, department) -> Remedy:
    """The remedy a decision letter states for this outcome."""
    body = review_body(department)
    outcome = Outcome(outcome)
    if outcome in WITHHELD:
        return Remedy(True, _review_first(body, "如对本机关不予公开的决定不服", "四"))
    if outcome == Outcome.PARTLY_DISCLOSED:
        return Remedy(
            True,
            _review_first(body, "如对本机关不予公开的部分不服", "四")
            + f"对本答复的其他内容不服的，可以自收到本告知书之日起六十日内向{body}申请行政复议，"
            f"或者自收到本告知书之日起六个月内向人民法院提起行政诉讼（{LITIGATION_LAW}第四十六条第一款）。",
        )
    return Remedy(
        False,
        f"如对本答复不服，可以自收到本告知书之日起六十日内向{body}申请行政复议（{REVIEW_LAW}第二十条第一款），"
        f"或者自收到本告知书之日起六个月内向人民法院提起行政诉讼（{LITIGATION_LAW}第四十六条第一款）。",
    )


def when_unanswered(department) -> str:
    """What the applicant may do when no answer comes within the time limit (第二十三条第一款第（三）项)."""
    return (
        f"本机关逾期未答复的，您应当先向{review_body(department)}申请行政复议"
        f"（{REVIEW_LAW}第二十三条第一款第（三）项），对行政复议决定不服的，再向人民法院提起行政诉讼。"
    )
