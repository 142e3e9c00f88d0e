"""Text normalisation shared by the importer, the checks and search.

Published tables write the same label many ways: "收 入 总 计", "（一）" and "(一)",
"单位：" and "单位:", quotes or none around 三公. Matching always compares normalised text.
"""

import re

_WHITESPACE = re.compile(r"\s+")
_TRANSLATE = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "：": ":",
        "，": ",",
        "“": "",
        "”": "",
        '"': "",
        "‘": "",
        "’": "",
        "\u3000": "",
        "\ufffd": "",
    }
)
ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、]|其中:)")


def normalize(text) -> str:
    if text is None:
        return ""
    return _WHITESPACE.sub("", str(text)).translate(_TRANSLATE)


def strip_enumerator(text) -> str:
    """"一、社会保障和就业支出" and "（一）社会保障和就业支出" both become "社会保障和就业支出"."""
    return ENUMERATOR.sub("", normalize(text))
