"""Addresses precise enough to find a household: down to a house number, a building or a room.

A bare 省/市/区/县 name (沈阳市和平区) is public geography and is not flagged; a road with a house
number (南京北街123号, with 3单元201室 or 12-3-401 after it), a 小区 with a building (幸福小区8栋), a
单元/室, or a village group (XX村5组) is.
Document numbers look alike (国办发〔2010〕57号, 国务院令第492号) but have no road word before the number;
a 号 followed by 文, 令 or 线 (轨道3号线) is not a house number.
The flagged text starts at the first 省/市/区/县 component when there is one; words like 家住, 住址：,
位于 in front of it are not part of the address.
"""

from __future__ import annotations

import re

from .tokens import tokens

_H = r"[\u4e00-\u9fff]"
_NUM = r"(?:\d{1,5}|[一二三四五六七八九十百零〇两]{1,4})"
_ROAD_END = r"(?:大街|大道|大路|路|街|巷|胡同|弄|里|道)"
_ROAD_NUMBER = rf"(?:[东西南北中一二三四五六七八九十]?段)?\s*{_NUM}(?:-{_NUM})?\s*(?:号楼|号院|号(?![文令线]))"
_ESTATE_END = r"(?:小区|花园|家园|公寓|大厦|新村|社区|苑|庭|城|广场|宿舍|楼)"
_BUILDING = rf"(?:\s*{_NUM}\s*(?:号楼|栋|幢|座|号院|楼)(?!层))"
_UNIT = rf"(?:\s*{_NUM}\s*单元)"
_ROOM = rf"(?:\s*{_NUM}\s*(?:室|号房|户)|\s*{_NUM}\s*层)"
# 12-3-401: building, unit and room written with dashes after the house number.
_DASHED = r"(?:\d{1,3}-\d{1,2}-\d{1,4}(?!\d))"
_TAIL = rf"(?:{_DASHED}|{_BUILDING}?{_UNIT}?{_ROOM}?)"

# Each pattern starts at the word that ends the street, estate or village name (路, 小区, 村); the name
# and the areas before it are the run of Chinese characters in front, read backwards (_MAX_NAME at most).
# Anchoring on the number keeps the search linear: a long paragraph of 市, 区 and 路 costs no backtracking.
_PATTERNS = [
    # 南京北街123号, 和平区南京北街123号3单元201室
    (re.compile(rf"{_ROAD_END}{_ROAD_NUMBER}(?:{_H}{{2,10}}?{_ESTATE_END})?{_TAIL}"), 1),
    # 幸福小区8栋, 阳光花园3号楼2单元502室
    (re.compile(rf"{_ESTATE_END}(?:{_BUILDING}{_UNIT}?|{_UNIT}){_ROOM}?"), 2),
    # 某某村5组, 某某村三组12号
    (re.compile(rf"村{_NUM}组(?:{_NUM}号)?"), 1),
]
_MAX_NAME = 30


# Words that introduce an address and are not part of it.
_LEAD = re.compile(
    r".*?(?:住址|地址|住所|家住|居住在|居住于|居住|现住|现居|住在|住于|位于|坐落于|地处|户籍地|户籍|籍贯|通讯地址|门牌)"
    r"(?:为|是|在|于)?[:：\s]*"
)


# Where an address may begin: a place name, or a word that ends like an administrative area, a road or
# an estate, or a word right before such an ending (光明/路, 幸福/小区).
_PLACE_END = tuple("省市区县旗镇乡村路街巷道弄里") + ("街道", "小区", "花园", "家园", "公寓", "大厦", "新村", "社区")


def _address_start(text: str, start: int, end: int) -> int:
    """Skip the words before the first place word: 本单位办公地点在/沈阳市…, 住/顺城区…, 户籍地/新宾县…"""
    lead = _LEAD.match(text, start, end)
    if lead and lead.end() < end:
        start = lead.end()
    toks = tokens(text[start:end])
    for i, tok in enumerate(toks):
        nxt = toks[i + 1].word if i + 1 < len(toks) else ""
        if tok.flag == "ns" or tok.word.endswith(_PLACE_END) or nxt.startswith(_PLACE_END) or tok.word[0].isdigit():
            return start + tok.start
    return start


def _name_start(text: str, anchor: int, shortest: int) -> int | None:
    """Start of the run of Chinese characters before ``anchor``, if it holds at least ``shortest``."""
    start = anchor
    while start > 0 and anchor - start < _MAX_NAME and "\u4e00" <= text[start - 1] <= "\u9fff":
        start -= 1
    return start if anchor - start >= shortest else None


def find_addresses(text: str) -> list[tuple[str, int, int, str]]:
    found = []
    taken: list[tuple[int, int]] = []
    for pattern, shortest in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = _name_start(text, m.start(), shortest), m.end()
            if start is None:
                continue
            start = _address_start(text, start, end)
            if any(s <= start and end <= e for s, e in taken):
                continue
            taken.append((start, end))
            found.append(("address", start, end, "详细地址（到门牌/楼栋/房号）"))
    return found
