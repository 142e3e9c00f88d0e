"""Chinese-aware matching: overlapping character bigrams, as Lucene's CJKAnalyzer does.

Chinese is written without spaces, so a word index cannot find "直联点" inside
"骨干直联点监测系统链路改造及机房维护" unless the segmenter happened to cut the text there.
Instead every run of Chinese characters is indexed as its overlapping bigrams (骨干 干直 直联 联点 …),
each with its position, and runs of letters or digits (codes such as 2080505) as whole tokens.
A query is tokenised the same way and must match as a phrase: the bigrams of "直联点" are 直联
then 联点 at the next position, which holds exactly where the text contains "直联点". So a match
is a substring match, found through an index, whatever the word boundaries.

On PostgreSQL the tokens are stored as a `tsvector` literal and matched with a `tsquery` phrase
through a GIN index (no extension needed; the text-search configuration is never used, so the
server's locale does not matter). SQLite has no such index: it matches the normalised text with
LIKE, which gives the same answers, slower.

Quotes and brackets are dropped before anything else, in the text and in the query alike: a
department prints “三公”经费 or 三公经费 or 《预算法》 as it pleases, and a citizen types either.
"""

import re
import unicodedata

from django.utils.html import escape

_SEPARATOR_GAP = 1


# After NFKC (which turns （）［］｛｝＂＇ into their ASCII forms): every quote and bracket, straight or
# curly, Western or Chinese. < and > stay: they are comparison signs in the 绩效指标 (≤, <=).
QUOTES_AND_BRACKETS = "\"'“”‘’„‟‹›«»「」『』《》〈〉()[]{}【】〔〕〖〗〘〙〚〛"
_DROP = re.compile("[" + re.escape(QUOTES_AND_BRACKETS) + "]")


def normalize(text: str) -> str:
    """Full-width to half-width, compatibility forms folded, quotes and brackets dropped, lower case."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3134F
        or 0x3040 <= code <= 0x30FF
    )


def _runs(text: str):
    """[(kind, run, gap_before)]: kind "cjk" or "word"; gap_before when separators came before it."""
    runs, current, kind, gap = [], [], None, False
    for ch in normalize(text):
        ch_kind = "cjk" if _is_cjk(ch) else "word" if ch.isalnum() else None
        if ch_kind != kind and current:
            runs.append((kind, "".join(current), gap))
            current, gap = [], False
        if ch_kind is None:
            gap = gap or bool(runs)
            kind = None
            continue
        kind = ch_kind
        current.append(ch)
    if current:
        runs.append((kind, "".join(current), gap))
    return runs


def tokens(text: str):
    """[(lexeme, position, kind)] where kind is "bigram", "tail" (a run's last character), "single" or "word"."""
    out, position = [], 1
    for kind, run, gap in _runs(text):
        if gap:
            position += _SEPARATOR_GAP
        if kind == "word":
            out.append((run, position, "word"))
            position += 1
        elif len(run) == 1:
            out.append((run, position, "single"))
            position += 1
        else:
            for i in range(len(run) - 1):
                out.append((run[i : i + 2], position + i, "bigram"))
            # The last character alone, so that a one-character query finds it at the end of a run too.
            out.append((run[-1], position + len(run) - 1, "tail"))
            position += len(run)
    return out


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


# tsvector positions stop at 16383; longer texts are indexed in paragraphs, so this never bites.
_MAX_POSITION = 16383


def tsvector_literal(text: str) -> str:
    """The tokens of `text` as a PostgreSQL tsvector literal: 'lexeme':1,7 'other':2 …"""
    positions: dict[str, list[int]] = {}
    for lexeme, position, _kind in tokens(text):
        if position <= _MAX_POSITION:
            positions.setdefault(lexeme, []).append(position)
    return " ".join(f"{_quote(lex)}:{','.join(map(str, pos[:256]))}" for lex, pos in positions.items())


# Facets: the filters (region and every region above it, level, year, kind) as extra lexemes of the
# same tsvector, so that PostgreSQL answers "this phrase, in this city, in 2024" from one GIN index by
# intersecting posting lists, instead of reading every match of a frequent term and then discarding
# those of other regions and years. "§" never occurs in a text token (_runs drops it).
def facet_lexemes(*, region_ids, level, published=(), department_id=None) -> str:
    """The facet lexemes of an entry, as tsvector literal items. `published`: its (year, kind) pairs."""
    lexemes = {f"§r{pk}" for pk in region_ids} | {f"§l{level}"}
    if department_id is not None:
        lexemes.add(f"§d{department_id}")
    for year, kind in published:
        lexemes |= {f"§y{year}", f"§k{kind}", f"§y{year}{kind}"}
    return " ".join(_quote(lexeme) for lexeme in sorted(lexemes))


def facet_query(*, region=None, level=None, year=None, kind=None) -> str:
    """The tsquery operands that keep only entries of these filters ("" when there are none)."""
    lexemes = []
    if region is not None:
        lexemes.append(f"§r{region}")
    if level:
        lexemes.append(f"§l{level}")
    if year and kind:
        lexemes.append(f"§y{year}{kind}")  # a department counts when it published that kind that year
    elif year:
        lexemes.append(f"§y{year}")
    elif kind:
        lexemes.append(f"§k{kind}")
    return " & ".join(_quote(lexeme) for lexeme in lexemes)


def place_query(places) -> str:
    """The tsquery operands for terms that name where an entry is from (search/places.py).

    `places`: [places.Place]. Each place's term matches an entry that contains it, or that belongs to
    one of its regions (or any region below: an entry carries its region's ancestors) or departments.
    """
    pieces = []
    for place in places:
        operands = [_phrase_literal(phrase) for phrase in query_phrases(place.term)]
        operands += [_quote(f"§r{pk}") for pk in sorted(place.region_ids)]
        operands += [_quote(f"§d{pk}") for pk in sorted(place.department_ids)]
        pieces.append("(" + " | ".join(operands) + ")")
    return " & ".join(pieces)


def terms(query: str) -> list[str]:
    """The query's terms: whitespace separates them, all must match."""
    return [normalize(t) for t in (query or "").split() if _runs(t)][:8]


def query_phrases(query: str) -> list[list[tuple[str, str, int | None]]]:
    """Per term, its tokens as (lexeme, tsquery operand, distance from the previous token or None).

    The last word of a term matches as a prefix ("20805" finds 2080505), and a term of one Chinese
    character matches any bigram that starts with it.
    """
    phrases = []
    for term in terms(query):
        parts = [t for t in tokens(term) if t[2] != "tail"]
        if not parts:
            continue
        last_word = max((i for i, t in enumerate(parts) if t[2] == "word"), default=None)
        phrase, previous = [], None
        for i, (lexeme, position, kind) in enumerate(parts):
            operand = _quote(lexeme) + (":*" if kind == "single" or i == last_word else "")
            phrase.append((lexeme, operand, None if previous is None else position - previous))
            previous = position
        phrases.append(phrase)
    return phrases


def _phrase_literal(phrase) -> str:
    return "(" + " ".join(operand if distance is None else f"<{distance}> {operand}" for _, operand, distance in phrase) + ")"


def tsquery_literal(query: str) -> str:
    """All terms must match; each term as a phrase of its tokens at the same distances as in the text."""
    return " & ".join(_phrase_literal(phrase) for phrase in query_phrases(query))


def index_literal(query: str, frequency, *, common: float, keep: int = 2) -> tuple[str, bool]:
    """(what to ask the GIN index for, whether the full phrase must then be checked on each candidate).

    The index reads the posting list of every lexeme it is given, so a long name made of common
    bigrams ("机关事业单位基本养老保险缴费": 13 bigrams, each in 4–17 % of the lines) costs the sum of
    thirteen long lists. A term of more than `keep` tokens, all of them held by at least `common` of
    the entries (`frequency(lexeme)`, 0 for a rare one), is asked for by its `keep` rarest ones and
    the candidates are then checked against the whole phrase: the same matches, from shorter lists.
    A term with a rare token keeps all of them: then the index's intersection is both cheap and
    tight ("铁西区民政局" must not fetch every "…区民政局" to check it).
    """
    pieces, narrowed = [], False
    for phrase in query_phrases(query):
        if len(phrase) > keep and all(frequency(lexeme) >= common for lexeme, _, _ in phrase):
            narrowed = True
            rarest = sorted(phrase, key=lambda token: frequency(token[0]))[:keep]
            pieces.extend(operand for _, operand, _ in rarest)
        else:
            pieces.append(_phrase_literal(phrase))
    return " & ".join(pieces), narrowed


def density(query: str, frequency) -> float:
    """At most how common a match of `query` is: the share of entries holding its rarest token."""
    return min((frequency(lexeme) for phrase in query_phrases(query) for lexeme, _, _ in phrase), default=0.0)


def highlight(text: str, query: str, *, window: int | None = None) -> str:
    """`text` escaped, with every match of a query term in <mark>; cut to `window` characters around the first."""
    text = text or ""
    # Normalise character by character, so that positions in the normalised text map back.
    normalized, origin = [], []
    for index, ch in enumerate(text):
        for folded in normalize(ch):
            normalized.append(folded)
            origin.append(index)
    haystack = "".join(normalized)
    spans = []
    for term in terms(query):
        for match in re.finditer(re.escape(term), haystack):
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            spans.append((start, end))
    spans.sort()
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    lo, hi = 0, len(text)
    if window and len(text) > window:
        first = merged[0][0] if merged else 0
        lo = max(0, min(first - window // 3, len(text) - window))
        hi = lo + window
    out, cursor = [], lo
    if lo > 0:
        out.append("…")
    for start, end in merged:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        out.append(escape(text[cursor:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    out.append(escape(text[cursor:hi]))
    if hi < len(text):
        out.append("…")
    return "".join(out)
