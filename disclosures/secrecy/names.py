"""Personal names (条例第十五条: 个人隐私) where a budget text puts them: next to an amount paid to a
person, after an identity word (户主, 收款人, 患者, 低保户 …), a post (局长：张三) or a form label (报销人：),
before 同志/夫妇/等3户/，女，, beside an identity number, phone or account, or in a list with such a name.

A name alone in a sentence is not flagged: budget texts are full of words that a tagger reads as names
(jieba tags 王府, 杜绝, 洪水, 银行卡, 高新区 as person names), and a name that matters for privacy comes
with what was paid to or known about the person. Candidates, by how sure they are:

- STRONG: jieba's part-of-speech tag ``nr``, also when a lone surname token precedes the tagged given name
  (白/玉林) or jieba leaves the last character out (黄梓/涵);
- MERGED: a lone surname token and the one or two characters after it, whatever jieba tagged them
  (刘/长海, 付/宏伟, 禚/振/鹏);
- LISTED: from the surname list, a 2–3 character span at a word boundary right before digits or right
  after an identity word, when jieba does not tag it;
- WEAK: such a span that jieba's dictionary holds as an ordinary word (文静, 高峰 as words): flagged only
  when it stands, with an amount, in a list of names that are flagged (宋扬3000元、文静2000元).

STRONG and MERGED need an amount within a few characters, or an identity word nearby; LISTED needs the
digits or the identity word right against it. Every candidate must look like a name: 2–3 characters (4
with a compound surname) starting with a surname, no character that names never hold (区, 局, 费, 元,
年, 数, 某 …), not a place or unit (followed by 村, 小学, 医院, 公司, 局 …), not a measure after a number
(5 项任务), not one of the ordinary words jieba tags ``nr``, and not starting with a function word (和/救助).
"""

from __future__ import annotations

import re

from .tokens import Token, is_word, tokens

SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕"
    "单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚"
    "娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池"
    "查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴"
    "盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况"
    "那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由逄禚"
)
COMPOUND_SURNAMES = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "令狐", "独孤", "端木", "西门", "南宫", "呼延", "万俟", "闻人", "轩辕", "澹台", "申屠", "太史", "钟离",
}  # fmt: skip

# Characters a given name practically never holds: units, measure words, place and organisation endings.
NON_NAME_CHARS = set(
    "区市省县镇乡村街路巷号局厅院校所处科室部站队司厂店元万亿年月日项表率费款税数额类级次件台套批个户等及与或"
    "的了在是为对给由从向共计合总各每其之以而并但们这那此该被把就也还又只均约按据人卡某"
)

# Ordinary words jieba's dictionary tags as person names, and which budget texts use.
ORDINARY_WORDS = {
    "王府", "宁静", "梁柱", "宋体", "谢谢", "孙子", "杜绝", "熊猫", "齐全", "洪水", "向阳", "华为", "阳光",
    "张数", "高新", "高效", "高达", "高于", "常年", "周年", "全年", "全省", "全市", "全面", "安全", "明显",
    "时间", "成本", "程序", "方案", "文件", "经费", "计划", "万元", "金额", "余额", "单位", "管理", "史料",
    "白天", "车辆", "包括", "关于", "项目", "平安", "和平", "黎明", "温暖", "康复", "乐观", "于是", "于此",
    "任务", "任职", "任用", "连续", "连同", "申报", "申请", "解决", "解释", "党建", "党委", "国家", "国有",
    "公务", "公共", "公开", "公用", "司法", "龙头", "江河", "海关", "华夏", "邮电", "支出", "支付", "支持",
    "原因", "原则", "都是", "由于", "信息", "信访", "展览", "宣传", "相关", "初步", "门户", "云平台", "来源",
    "普及", "居民", "干部", "元年", "利用", "但是", "展开", "平台", "平稳", "富裕", "幸福", "智慧", "智能",
    "衡量", "师资", "商品", "边界", "应当", "应急", "全部", "宗旨", "席位", "冷链", "党费", "党组", "连接",
    "项下", "简称", "古代", "农业", "农村", "时效", "艾滋", "曲线", "成果", "季度", "单价", "包装", "兰州",
    "关联", "申诉", "左右", "甘肃", "宁夏", "尚未", "符合", "梅花", "童年", "毕业", "霍乱", "路费", "管护",
    "华北", "华东", "华南", "房屋", "费用", "卜算", "柏油", "桂林", "明确", "师范", "沙漠", "荣誉", "商务",
    "燕山", "楚雄", "劳务", "皮革", "楼宇", "满意", "闻名", "伊犁", "海洋", "花卉", "权益", "强化", "屠宰",
    "盖章", "练习", "廉政", "井盖", "祖国", "丰富", "支队", "国际", "平均", "计算", "索引", "宣讲", "晋升",
    "初级", "云计算", "敬老", "来访", "都市", "普查", "鹿茸", "雍正", "阿里", "乌鲁木齐", "母婴", "修缮",
    "杭州", "况且", "宿舍", "鲜活", "印发", "隆重", "战略", "危房", "玉米", "银行", "公安", "公园", "居家",
    "干线", "元件", "信用", "展示", "智库", "植树", "富民", "由此", "武装", "文明", "文化", "方面", "方式",
    "石油", "黄金", "林业", "高校", "马路", "金融", "钱款", "齐心", "雷锋", "孔子", "孟子", "鲁迅", "秦皇岛",
    "高峰期", "支付宝", "微信", "卢沟桥", "邓小平", "毛泽东", "周恩来", "习近平", "申请人", "顾问费", "韦伯",
    "柯南", "傅里叶",
}  # fmt: skip

# Words that say the next words are a person (or a person's data), and posts whose holders are named.
IDENTITY_WORDS = (
    "身份证号码", "身份证号", "身份证", "证件号码", "证件号", "姓名", "名单", "户主", "户名", "开户名", "账户名",
    "持卡人", "家属", "遗属", "遗孀", "配偶", "妻子", "丈夫", "儿子", "女儿", "父亲", "母亲", "本人", "患者", "病人",
    "伤者", "死者", "烈士", "残疾人", "困难户", "低保户", "特困户", "五保户", "贫困户", "困难职工", "困难群众",
    "低保对象", "特困人员", "救助对象", "补助对象", "资助对象", "慰问对象", "优抚对象", "帮扶对象", "被救助人",
    "收款人", "领款人", "付款人", "受益人", "申请人", "信访人", "上访人", "当事人", "受助人", "受害人", "报销人",
    "领取人", "代领人", "监护人", "举报人", "投诉人", "退休职工", "离休干部", "退休干部", "老干部", "党员", "学生", "村民",
    "居民", "职工", "联系人", "经办人", "负责人", "法定代表人", "法人代表", "电话", "手机", "住址", "家住", "地址",
)  # fmt: skip
ROLE_WORDS = (
    "党组书记", "书记", "副局长", "局长", "副厅长", "厅长", "副主任", "主任", "副处长", "处长", "副科长", "科长",
    "副院长", "院长", "副校长", "校长", "站长", "所长", "部长", "队长", "主席", "委员", "会计", "出纳", "审核人",
    "审核", "复核", "填表人", "制表人", "单位负责人", "财务负责人", "分管领导", "主管领导", "主要负责人", "记账",
)  # fmt: skip
_CONTEXT_BEFORE = re.compile(
    "(?:" + "|".join(sorted(IDENTITY_WORDS + ROLE_WORDS, key=len, reverse=True)) + r")"
    r"(?:为|是|系|[:：，,\s])*$"
)
# A form field for a person: 报销人：, 代领人：, 监护人：, 驾驶员：.
_FORM_LABEL = re.compile(r"[\u4e00-\u9fff]{1,4}(?:人|者|员)\s*[:：]\s*$")
_CONTEXT_NEAR_BEFORE = re.compile("(?:" + "|".join(sorted(IDENTITY_WORDS + ROLE_WORDS, key=len, reverse=True)) + ")")
_SUFFIX_AFTER = re.compile(
    r"\s*(?:同志|先生|女士|老人|老师|之[子女妻夫父母]|夫妇|一家|等\s*\d*\s*[人户名位]|[的之]?(?:身份证|电话|手机|住址|家属|家庭|户口|银行卡|账号|"
    r"本人|配偶|子女|妻子|丈夫|父亲|母亲|医疗费|丧葬费|抚恤金|救助金|慰问金|补助金|生活费|困难补助)|[（(]\s*(?:身份证|男|女|电话)"
    r"|[，,、\s]+[男女](?:[，,、\s）)]|$)|[，,、\s]+\d{2,4}年(?:\d{1,2}月)?(?:出)?生)"
)
_NUMBER_AFTER = re.compile(r"[ \t:：,，]*[（(]?[ \t]*[-+]?\d")
_AMOUNT = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:元|万元|万|千元)")
_DIGIT_BEFORE = re.compile(r"\d\s*$")
_AMOUNT_BEFORE = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:元|万元)[^\u4e00-\u9fff\d]{0,2}$")
_PLACE_OR_UNIT_AFTER = re.compile(
    r"(?:家村|村|屯|镇|乡|街道|社区|小学|中学|大学|学校|学院|医院|卫生院|诊所|公司|集团|厂|局|厅|中心|委员会|"
    r"办公室|站|所|路|街|区|县|市|省|庄|沟|河|山|桥|堡|岭|营|湾|店|井|园|楼|寺|庙|湖|岛|港|矿)"
)
# The end of a unit's name in the given-name place: 人民路/小学, 刘家/中心.
_UNIT_WORD = re.compile(r"小学|中学|大学|学校|学院|医院|公司|中心|委员会|办公室|村委|社区")
_CLAUSE_BREAK = re.compile(r"[。；;！？!?\n]")
_LIST_SEP = re.compile(r"^[、，,\s]*$|^[\s:：]*\d[\d,]*(?:\.\d+)?\s*(?:元|万元)?[、，,；;\s]*$")
_NAME_FLAGS = ("nr", "nrfg", "nrt")
_NAME_LIKE_TAGS = ("nr", "ns", "nz")  # 于洋 and 长海 are place names to jieba, and given names too
_TITLES = {"女士", "先生", "同志", "老师", "师傅", "阿姨", "大爷", "大姐", "总", "工", "局", "主任", "科长"}


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _shape_ok(name: str) -> bool:
    if name[:2] in COMPOUND_SURNAMES:
        given = name[2:]
        if not 1 <= len(given) <= 2:
            return False
    elif name[0] in SURNAMES:
        given = name[1:]
        if not 1 <= len(given) <= 2:
            return False
    else:
        return False
    if not all(_is_han(ch) for ch in name):
        return False
    if any(ch in NON_NAME_CHARS for ch in given):
        return False
    if len(name) == 2 and name[1] in "家氏":
        return False
    if given in _TITLES:  # 田女士, 王师傅: a form of address, not a name
        return False
    return name not in ORDINARY_WORDS


# How sure the tokens make us that a span is a name; stronger candidates need less context.
STRONG = 3  # jieba tagged it nr (or a lone surname followed by an nr token: 白/玉林)
MERGED = 2  # a lone surname token followed by one or two characters: 刘/长海, 禚/振/鹏, 关/淑珍
LISTED = 1  # surname-list span at a word boundary, right before digits or right after an identity word
WEAK = 0  # such a span that jieba's dictionary knows as an ordinary word (文静, 高峰): only in a list of names

# Tags of words that are not the start of a name: conjunctions, prepositions, particles, pronouns,
# numerals, locatives, adverbs (和/救助, 于/是, 万/人, 常/年).
_FUNCTION_TAGS = ("c", "p", "u", "r", "m", "f", "d")


def _starts_as_function_word(tok: Token) -> bool:
    return len(tok.word) == 1 and tok.flag.startswith(_FUNCTION_TAGS)


def candidates(text: str, toks: list[Token]) -> dict[tuple[int, int], int]:
    """{(start, end): strength} for spans that may be names."""
    found: dict[tuple[int, int], int] = {}

    def add(start, end, strength):
        if strength > found.get((start, end), -1):
            found[(start, end)] = strength

    token_at = {t.start: t for t in toks}
    for i, tok in enumerate(toks):
        if tok.flag in _NAME_FLAGS and 2 <= len(tok.word) <= 4:
            add(tok.start, tok.end, STRONG)
            # jieba sometimes leaves the last character of a given name out: 黄梓/涵、
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            after = toks[i + 2].word[:1] if i + 2 < len(toks) else ""
            if (
                len(tok.word) == 2
                and nxt is not None
                and len(nxt.word) == 1
                and _is_han(nxt.word)
                and not _starts_as_function_word(nxt)
                and (not (after and _is_han(after)) or _SUFFIX_AFTER.match(text, nxt.end))
            ):
                add(tok.start, nxt.end, STRONG)
        lone = tok.word in SURNAMES or tok.word in COMPOUND_SURNAMES
        if not lone or _starts_as_function_word(tok):
            continue
        given = ""
        for nxt in toks[i + 1 : i + 3]:
            if not all(_is_han(c) for c in nxt.word) or len(given) + len(nxt.word) > 2:
                break
            given += nxt.word
            strength = STRONG if nxt.flag in _NAME_FLAGS and len(nxt.word) == len(given) else MERGED
            add(tok.start, nxt.end, strength)
            if len(nxt.word) == 2:
                break
    # Surname-list spans where jieba did not see a name: a run of 2-3 characters starting at a word
    # boundary with a surname, ending right before digits or a separator, or right after an identity word.
    for m in re.finditer(r"[\u4e00-\u9fff]+", text):
        run_start, run_end = m.span()
        for length in (3, 2, 4):
            start = run_end - length
            if start >= run_start and start in token_at and not _starts_as_function_word(token_at[start]):
                add(start, run_end, LISTED)
        for cm in _CONTEXT_NEAR_BEFORE.finditer(text, run_start, run_end):
            first = token_at.get(cm.end())
            if first is not None and _starts_as_function_word(first):
                continue
            for length in (3, 2, 4):
                start, end = cm.end(), cm.end() + length
                if end <= run_end and (end == run_end or end in token_at):
                    add(start, end, LISTED)
    return found


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    right = _CLAUSE_BREAK.search(text, end)
    return left, right.start() if right else len(text)


def _context(text: str, start: int, end: int, strength: int, personal_spans) -> str | None:
    """The reason a name at [start, end) matters, or None."""
    if strength == WEAK:  # only as one of a list of names (see _propagate_lists)
        return None
    before, after = text[max(0, start - 24) : start], text[end : end + 40]
    if _NUMBER_AFTER.match(after):
        return "疑似个人姓名（紧邻金额或数字）"
    m = _CONTEXT_BEFORE.search(before) or _FORM_LABEL.search(before)
    if m:
        return f"疑似个人姓名（紧随“{m.group().strip('为是系:：，, ')}”）"
    if _SUFFIX_AFTER.match(after):
        return "疑似个人姓名（后接身份用语）"
    left, right = _clause(text, start, end)
    if any(left <= s and e <= right and abs(s - end) <= 24 for s, e in personal_spans):
        return "疑似个人姓名（与证件号/电话/账号同句）"
    if strength < MERGED:
        return None
    if _CONTEXT_NEAR_BEFORE.search(text, max(left, start - 10), start):
        return "疑似个人姓名（身份用语之后）"
    amount = _AMOUNT.search(text, end, right)
    if (amount and amount.start() - end <= 14) or _AMOUNT_BEFORE.search(text[max(left, start - 16) : start]):
        return "疑似个人姓名（同句有金额）"
    if strength == STRONG and text.strip() == text[start:end]:
        return "疑似个人姓名（单元格仅含姓名）"
    return None


def find_names(text: str, personal_spans=()) -> list[tuple[str, int, int, str]]:
    """(kind, start, end, reason) for each name with context; ``personal_spans`` are numbers already found."""
    if not any(ch in SURNAMES for ch in text):
        return []
    candidates_ = candidates(text, tokens(text))
    accepted: dict[tuple[int, int], str] = {}
    shaped: list[tuple[int, int, int]] = []
    for (start, end), strength in sorted(candidates_.items()):
        name = text[start:end]
        if not _shape_ok(name) or _PLACE_OR_UNIT_AFTER.match(text, end) or _UNIT_WORD.match(name, 1):
            continue
        if strength < STRONG and _DIGIT_BEFORE.search(text, max(0, start - 8), start):  # 60 万条, 5000 万人: a measure
            continue
        if strength < STRONG:
            known, tag = is_word(name)
            if known and not tag.startswith(_NAME_LIKE_TAGS):
                strength = WEAK
            elif strength == LISTED and len(name) >= 3 and name[:2] not in COMPOUND_SURNAMES:
                known, tag = is_word(name[:2])
                if known and not tag.startswith(_NAME_LIKE_TAGS):
                    continue
        candidates_[(start, end)] = strength
        shaped.append((start, end, strength))
        reason = _context(text, start, end, strength, personal_spans)
        if reason:
            accepted[(start, end)] = reason
    _propagate_lists(text, shaped, accepted)
    _prefer_stronger_and_longer(accepted, candidates_)
    return [("person_name", s, e, r) for (s, e), r in sorted(accepted.items())]


def _propagate_lists(text: str, shaped, accepted) -> None:
    """张三、李四、王五各2000元: a candidate joined by a list separator to an accepted name is one too."""
    changed = True
    while changed:
        changed = False
        for start, end, strength in shaped:
            if (start, end) in accepted or (strength == WEAK and not _NUMBER_AFTER.match(text, end)):
                continue
            for s, e in list(accepted):
                between = text[end:s] if end <= s else text[e:start] if e <= start else None
                if between is not None and len(between) <= 14 and _LIST_SEP.match(between):
                    accepted[(start, end)] = "疑似个人姓名（与已标出的姓名并列）"
                    changed = True
                    break


def _prefer_stronger_and_longer(accepted, candidates) -> None:
    """Of two overlapping names keep the stronger, then the longer: 向/李四 is 李四, 梁明辉 is not 明辉."""
    ranked = sorted(accepted, key=lambda span: (-candidates[span], -(span[1] - span[0]), span[0]))
    kept: list[tuple[int, int]] = []
    for s, e in ranked:
        if all(e <= ks or s >= ke for ks, ke in kept):
            kept.append((s, e))
    for span in list(accepted):
        if span not in kept:
            del accepted[span]
