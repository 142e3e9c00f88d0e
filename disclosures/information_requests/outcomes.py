"""The outcomes of a request: one row each of table 3 of the annual report (REPORT.md).

国办公开办函〔2021〕30号 fixes the rows; 条例第三十六条 lists the answers. Each outcome carries the
article the decision letter cites and the sentence that states the decision. The mapping of 第三十六条
answers to rows follows REPORT.md ("inference, to be confirmed by staff"), so staff may edit the
legal basis before sending.
"""

from dataclasses import dataclass

from django.db import models

REGULATION = "《中华人民共和国政府信息公开条例》"


class Outcome(models.TextChoices):
    DISCLOSED = "disclosed", "予以公开"
    PARTLY_DISCLOSED = "partly_disclosed", "部分公开"
    WITHHELD_STATE_SECRET = "withheld_state_secret", "不予公开·属于国家秘密"
    WITHHELD_PROHIBITED_BY_LAW = "withheld_prohibited_by_law", "不予公开·其他法律行政法规禁止公开"
    WITHHELD_SECURITY_STABILITY = "withheld_security_stability", "不予公开·危及“三安全一稳定”"
    WITHHELD_THIRD_PARTY = "withheld_third_party", "不予公开·保护第三方合法权益"
    WITHHELD_INTERNAL_AFFAIRS = "withheld_internal_affairs", "不予公开·属于三类内部事务信息"
    WITHHELD_PROCESS = "withheld_process", "不予公开·属于四类过程性信息"
    WITHHELD_ENFORCEMENT_FILE = "withheld_enforcement_file", "不予公开·属于行政执法案卷"
    WITHHELD_SPECIAL_ACCESS = "withheld_special_access", "不予公开·属于行政查询事项"
    UNAVAILABLE_NOT_HELD = "unavailable_not_held", "无法提供·本机关不掌握相关政府信息"
    UNAVAILABLE_NEEDS_COMPILING = "unavailable_needs_compiling", "无法提供·没有现成信息需要另行制作"
    UNAVAILABLE_UNCLEAR = "unavailable_unclear", "无法提供·补正后申请内容仍不明确"
    NOT_PROCESSED_PETITION = "not_processed_petition", "不予处理·信访举报投诉类申请"
    NOT_PROCESSED_REPEAT = "not_processed_repeat", "不予处理·重复申请"
    NOT_PROCESSED_PUBLICATION = "not_processed_publication", "不予处理·要求提供公开出版物"
    NOT_PROCESSED_EXCESSIVE = "not_processed_excessive", "不予处理·无正当理由大量反复申请"
    NOT_PROCESSED_CONFIRMATION = "not_processed_confirmation", "不予处理·要求行政机关确认或重新出具已获取信息"
    OTHER_NO_AMENDMENT = "other_no_amendment", "其他处理·申请人逾期不补正"
    OTHER_FEE_UNPAID = "other_fee_unpaid", "其他处理·申请人逾期未缴纳信息处理费"
    OTHER = "other", "其他处理·其他"


@dataclass(frozen=True)
class OutcomeRule:
    article: str  # the default legal basis printed in the letter
    decision: str  # the sentence that states the decision in the letter


OUTCOME_RULES = {
    # 条例第三十六条第二项: information that is disclosed is provided, or the applicant told how and when.
    Outcome.DISCLOSED: OutcomeRule("条例第三十六条第二项", "您申请获取的政府信息属于公开范围，本机关予以公开。"),
    # 条例第三十七条: separable parts are disclosed, with reasons for the rest.
    Outcome.PARTLY_DISCLOSED: OutcomeRule(
        "条例第三十七条",
        "您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理，本机关对可以公开的部分予以公开。",
    ),
    # 条例第十四条: state secrets, prohibited by law, endangering the "three securities and one stability".
    Outcome.WITHHELD_STATE_SECRET: OutcomeRule(
        "条例第十四条、第三十六条第三项", "您申请获取的政府信息属于国家秘密，本机关不予公开。"
    ),
    Outcome.WITHHELD_PROHIBITED_BY_LAW: OutcomeRule(
        "条例第十四条、第三十六条第三项", "您申请获取的政府信息属于法律、行政法规禁止公开的信息，本机关不予公开。"
    ),
    Outcome.WITHHELD_SECURITY_STABILITY: OutcomeRule(
        "条例第十四条、第三十六条第三项",
        "您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定，本机关不予公开。",
    ),
    # 条例第十五条: trade secrets and personal privacy of a third party.
    Outcome.WITHHELD_THIRD_PARTY: OutcomeRule(
        "条例第十五条、第三十六条第三项",
        "您申请获取的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害，本机关不予公开。",
    ),
    # 条例第十六条第一款: internal affairs (personnel, logistics, internal workflows).
    Outcome.WITHHELD_INTERNAL_AFFAIRS: OutcomeRule(
        "条例第十六条第一款、第三十六条第三项", "您申请获取的信息属于行政机关的内部事务信息，本机关不予公开。"
    ),
    # 条例第十六条第二款: process information (discussions, drafts, consultations, instructions).
    Outcome.WITHHELD_PROCESS: OutcomeRule(
        "条例第十六条第二款、第三十六条第三项",
        "您申请获取的信息属于行政机关在履行行政管理职能过程中形成的过程性信息，本机关不予公开。",
    ),
    # 条例第十六条第二款: law-enforcement case files.
    Outcome.WITHHELD_ENFORCEMENT_FILE: OutcomeRule(
        "条例第十六条第二款、第三十六条第三项", "您申请获取的信息属于行政执法案卷信息，本机关不予公开。"
    ),
    # 条例第三十六条第七项: records that other laws make available through their own procedure.
    Outcome.WITHHELD_SPECIAL_ACCESS: OutcomeRule(
        "条例第三十六条第七项", "您申请获取的信息属于法律、行政法规对信息的获取有特别规定的事项，请按照有关规定办理。"
    ),
    # 条例第三十六条第四项: the information does not exist; 第五项: not this agency's.
    Outcome.UNAVAILABLE_NOT_HELD: OutcomeRule(
        "条例第三十六条第四项、第五项", "经检索，本机关不掌握您申请获取的政府信息。"
    ),
    # 条例第三十八条: no duty to compile or analyse information that does not already exist.
    Outcome.UNAVAILABLE_NEEDS_COMPILING: OutcomeRule(
        "条例第三十八条", "您申请获取的信息需要本机关对现有政府信息进行加工、分析，本机关不予提供。"
    ),
    # 条例第三十条: the amended application is still unclear.
    Outcome.UNAVAILABLE_UNCLEAR: OutcomeRule("条例第三十条", "经补正，您的申请内容仍不明确，本机关无法提供。"),
    # 条例第三十九条第一款: petitions, complaints and reports are not applications.
    Outcome.NOT_PROCESSED_PETITION: OutcomeRule(
        "条例第三十九条第一款",
        "您的申请属于信访、投诉、举报等事项，本机关不作为政府信息公开申请处理，请通过相应渠道提出。",
    ),
    # 条例第三十六条第六项: repeated requests are not processed again.
    Outcome.NOT_PROCESSED_REPEAT: OutcomeRule(
        "条例第三十六条第六项", "您的申请与此前已答复的申请内容相同，本机关不予重复处理。"
    ),
    # 条例第三十九条第二款: published gazettes, newspapers and books: tell where to get them.
    Outcome.NOT_PROCESSED_PUBLICATION: OutcomeRule(
        "条例第三十九条第二款", "您要求提供的是公开出版物，请通过公开渠道获取。"
    ),
    # 条例第三十五条: clearly excessive repeated requests.
    Outcome.NOT_PROCESSED_EXCESSIVE: OutcomeRule(
        "条例第三十五条", "您的申请数量、频次明显超过合理范围且未说明理由，本机关不予处理。"
    ),
    Outcome.NOT_PROCESSED_CONFIRMATION: OutcomeRule(
        "条例第三十八条", "您要求本机关确认或者重新出具您已获取的信息，不属于政府信息公开申请，本机关不予处理。"
    ),
    # 条例第三十条: no amendment within the time given → treated as abandoned.
    Outcome.OTHER_NO_AMENDMENT: OutcomeRule(
        "条例第三十条", "您未在补正期限内补正申请，视为放弃申请，本机关不再处理该政府信息公开申请。"
    ),
    # 条例第四十二条; 《政府信息公开信息处理费管理办法》(国办函〔2020〕109号) 第七条: fee not paid in time.
    Outcome.OTHER_FEE_UNPAID: OutcomeRule(
        "条例第四十二条、国办函〔2020〕109号",
        "您未在收费通知要求的期限内缴纳信息处理费，视为放弃申请，本机关不再处理该政府信息公开申请。",
    ),
    Outcome.OTHER: OutcomeRule("", "本机关对您的申请作如下处理。"),
}

# Outcomes staff may choose when replying; the two "abandoned" rows are reached only by their deadlines.
STAFF_OUTCOMES = [
    choice for choice in Outcome.choices if choice[0] not in (Outcome.OTHER_NO_AMENDMENT, Outcome.OTHER_FEE_UNPAID)
]

# Outcomes under which files are handed over (条例第三十六条第二项、第三十七条).
DISCLOSING = {Outcome.DISCLOSED, Outcome.PARTLY_DISCLOSED}


# Table 3 of the annual report, in REPORT.md's order and wording. A row is (label, outcome or None,
# kind): "count" rows hold figures, "group" rows are headings without a subtotal.
REPORT_ROWS = [
    ("一、本年新收政府信息公开申请数量", None, "received"),
    ("二、上年结转政府信息公开申请数量", None, "carried_in"),
    ("三、本年度办理结果", None, "group"),
    ("（一）予以公开", Outcome.DISCLOSED, "outcome"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", Outcome.PARTLY_DISCLOSED, "outcome"),
    ("（三）不予公开", None, "group"),
    ("1.属于国家秘密", Outcome.WITHHELD_STATE_SECRET, "outcome"),
    ("2.其他法律行政法规禁止公开", Outcome.WITHHELD_PROHIBITED_BY_LAW, "outcome"),
    ('3.危及"三安全一稳定"', Outcome.WITHHELD_SECURITY_STABILITY, "outcome"),
    ("4.保护第三方合法权益", Outcome.WITHHELD_THIRD_PARTY, "outcome"),
    ("5.属于三类内部事务信息", Outcome.WITHHELD_INTERNAL_AFFAIRS, "outcome"),
    ("6.属于四类过程性信息", Outcome.WITHHELD_PROCESS, "outcome"),
    ("7.属于行政执法案卷", Outcome.WITHHELD_ENFORCEMENT_FILE, "outcome"),
    ("8.属于行政查询事项", Outcome.WITHHELD_SPECIAL_ACCESS, "outcome"),
    ("（四）无法提供", None, "group"),
    ("1.本机关不掌握相关政府信息", Outcome.UNAVAILABLE_NOT_HELD, "outcome"),
    ("2.没有现成信息需要另行制作", Outcome.UNAVAILABLE_NEEDS_COMPILING, "outcome"),
    ("3.补正后申请内容仍不明确", Outcome.UNAVAILABLE_UNCLEAR, "outcome"),
    ("（五）不予处理", None, "group"),
    ("1.信访举报投诉类申请", Outcome.NOT_PROCESSED_PETITION, "outcome"),
    ("2.重复申请", Outcome.NOT_PROCESSED_REPEAT, "outcome"),
    ("3.要求提供公开出版物", Outcome.NOT_PROCESSED_PUBLICATION, "outcome"),
    ("4.无正当理由大量反复申请", Outcome.NOT_PROCESSED_EXCESSIVE, "outcome"),
    ("5.要求行政机关确认或重新出具已获取信息", Outcome.NOT_PROCESSED_CONFIRMATION, "outcome"),
    ("（六）其他处理", None, "group"),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", Outcome.OTHER_NO_AMENDMENT, "outcome"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", Outcome.OTHER_FEE_UNPAID, "outcome"),
    ("3.其他", Outcome.OTHER, "outcome"),
    ("（七）总计", None, "total"),
    ("四、结转下年度继续办理", None, "carried_out"),
]
