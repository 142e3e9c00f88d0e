"""密级标志 and the phrases that mark a text as not for publication (保守国家秘密法, 条例第十四条).

What is flagged, and why the rest is not:

- 绝密 and 机密 wherever they stand (a budget text has no ordinary use for them), with the ★ and the
  保密期限 that follow them on a marked document (``机密★5年``) as one flag; except 机密性 (the
  information-security property: 数据的机密性、完整性).
- 秘密 only as a marking: followed by ★/☆ (``秘密★1年``, ``秘密★长期``), by a 保密期限 (``秘密 1年``,
  ``秘密（长期）``) or as 秘密级. 秘密 alone is the ordinary word of 保守秘密, 国家秘密, 工作秘密,
  商业秘密, and 保密 words (保密审查, 保密法, 定密, 解密) are the disclosure rules themselves.
- 密级 anywhere (``密级：秘密``, a 密级 column): a text that speaks of 密级 comes from a marked document.
- 内部 only in a marking phrase: 内部资料, 内部文件, 内部材料, 内部使用, 内部参考, 内部传阅, 内部发行,
  内部刊物, 内部★, 仅供内部…, 限内部…, and a cell that says only 内部. Budget texts use 内部控制, 内部审计,
  内部管理, 单位内部, 内控 constantly; those are not markings.
- 涉密 and 不得公开, except where a text states the rule rather than marking a content: the boilerplate
  ``（涉密信息除外）``, ``除涉密信息外``, ``…不得公开的除外``, ``涉密采购事项按照相关规定执行``, and
  ``非涉密`` / ``不涉密``. 涉密项目, 涉密经费, 涉密人员 are flagged: naming a classified project in a
  disclosure is itself for the reviewer.
"""

from __future__ import annotations

import re

_STAR = r"[★☆＊*]"
_TERM = r"(?:\s*(?:\d{1,2}\s*(?:年|个月)|长期))?"

_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"密级\s*[:：]?\s*(?:(?:绝密|机密|秘密)(?:\s*{_STAR}{_TERM})?|内部)?"), "出现“密级”字样"),
    (re.compile(rf"(?:绝密|机密|秘密)\s*{_STAR}{_TERM}"), "密级标志（★及保密期限）"),
    (re.compile(r"(?:绝密|机密|秘密)级"), "密级标志"),
    (re.compile(r"(?:绝密|机密|秘密)\s*[（(]?\s*(?:\d{1,2}\s*(?:年|个月)|长期)\s*[)）]?"), "密级标志（保密期限）"),
    (re.compile(r"绝密"), "密级标志“绝密”"),
    (re.compile(r"机密(?!性)"), "密级标志“机密”"),
    (re.compile(rf"内部\s*{_STAR}"), "密级标志“内部★”"),
    (re.compile(r"(?:仅供|仅限|只限|限于|限)(?:单位)?内部(?:参考|使用|传阅|阅读|掌握|交流)?"), "仅限内部使用的标注"),
    (re.compile(r"内部(?:资料|文件|材料|使用|参考|传阅|发行|刊物|明电|事项)"), "内部资料标注"),
    (re.compile(r"(?<![非不])涉密"), "出现“涉密”字样"),
    (re.compile(r"不得公开"), "“不得公开”标注"),
]

# A text that states the rule: （涉密信息除外）, 除涉密信息外, 依法不得公开的除外, 涉密采购事项按照相关规定执行.
_RULE_STATEMENT = re.compile(
    r"(?:涉密|不得公开)[^。；;，,\n]{0,8}?除外"
    r"|除[^。；;，,\n]{0,12}?(?:涉密|不得公开)[^。；;，,\n]{0,10}?外"
    r"|涉密[^。；;，,\n]{0,8}?(?:按照|依照|依据|遵照|按)(?:国家)?(?:有关|相关)?(?:保密)?(?:规定|要求)"
)
_WHOLE_CELL_INTERNAL = re.compile(r"\s*[【\[（(]?\s*(内部)\s*[】\]）)]?\s*")


def find_markers(text: str) -> list[tuple[str, int, int, str]]:
    found = []
    rule_spans = [m.span() for m in _RULE_STATEMENT.finditer(text)]
    for pattern, reason in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if "涉密" in m.group() or "不得公开" in m.group():
                if any(s <= start and end <= e for s, e in rule_spans):
                    continue
            found.append(("marker", start, end, reason))
    whole = _WHOLE_CELL_INTERNAL.fullmatch(text)
    if whole:
        found.append(("marker", *whole.span(1), "单元格仅标“内部”"))
    return found
