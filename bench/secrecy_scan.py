"""Confidentiality-review scanner (disclosures.secrecy): precision, recall, false flags, speed. Asserts nothing.

    .venv/bin/python bench/secrecy_scan.py        (from the project root)

Reads tests/fixtures/secrecy/labelled.json:
- planted and holdout: realistic sentences with personal data and markers put in, and negatives that look risky and
  are not. Printed: precision and recall overall and per kind (a flag counts when kind and text match).
  Target: recall ≥ 0.95 on planted personal data and on markers.
- seed_lines: every line of seeds 000 and 004 with the flags really in them. Printed: the flags the
  scanner adds there (false flags, listed) and the ones it misses. Target: few false flags.
- how many names jieba's ``nr`` tag alone finds, against the surname heuristic, and how many raw ``nr``
  tags the seeds hold.
- speed: lines per second over the seed lines, set against scanning an empty string in the same run.
If ../shared/seeds (or $SEEDS_DIR) is there, seeds 002 and 003, which no label was written for, are
scanned too and every flag there is listed: an unseen check on false flags.
"""

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from disclosures.secrecy import KINDS, scan_text  # noqa: E402
from disclosures.secrecy.names import STRONG, candidates  # noqa: E402
from disclosures.secrecy.tokens import tokens  # noqa: E402

LABELLED = ROOT / "tests" / "fixtures" / "secrecy" / "labelled.json"
PERSONAL = ("person_name", "id_number", "phone", "bank_account", "address")
RECALL_TARGET = 0.95


def scan(item):
    return scan_text(item["text"], terms=item.get("terms", ()), exceptions=item.get("exceptions", ()))


def compare(item, flags):
    """(true positives, false flags, misses) as Counters of (kind, text)."""
    expected = Counter(tuple(f) for f in item["flags"])
    got = Counter((f.kind, f.text) for f in flags)
    return expected & got, got - expected, expected - got


def ratio(a, b):
    return a / b if b else float("nan")


def quality(items):
    tp, fp, fn = Counter(), Counter(), Counter()
    false_flags, misses = [], []
    for item in items:
        hit, extra, missed = compare(item, scan(item))
        for (kind, _), n in hit.items():
            tp[kind] += n
        for (kind, text), n in extra.items():
            fp[kind] += n
            false_flags.append((item.get("src", ""), kind, text, item["text"]))
        for (kind, text), n in missed.items():
            fn[kind] += n
            misses.append((item.get("src", ""), kind, text, item["text"]))
    return tp, fp, fn, false_flags, misses


def print_table(tp, fp, fn):
    print(f"  {'kind':<14}{'':<10}{'planted':>8}{'found':>7}{'false':>7}{'precision':>11}{'recall':>8}")
    for kind in list(KINDS) + ["ALL"]:
        if kind == "ALL":
            t, f, m = sum(tp.values()), sum(fp.values()), sum(fn.values())
        else:
            t, f, m = tp[kind], fp[kind], fn[kind]
        label = KINDS.get(kind, "全部")
        print(f"  {kind:<14}{label:<10}{t + m:>8}{t:>7}{f:>7}{ratio(t, t + f):>11.3f}{ratio(t, t + m):>8.3f}")


def group_recall(tp, fn, kinds):
    t = sum(tp[k] for k in kinds)
    return ratio(t, t + sum(fn[k] for k in kinds))


def show(rows, limit=60):
    for src, kind, text, line in rows[:limit]:
        print(f"    {src:<12} {kind:<13} {text!r:<24} in {line[:70]!r}")
    if len(rows) > limit:
        print(f"    … and {len(rows) - limit} more")


def jieba_vs_heuristic(items):
    """Each expected name: found from jieba's nr tag, found only by the surname heuristic, or missed."""
    by_jieba, by_heuristic, missed = [], [], []
    for item in items:
        names = [text for kind, text in item["flags"] if kind == "person_name"]
        if not names:
            continue
        flags = [f for f in scan(item) if f.kind == "person_name"]
        strength = candidates(item["text"], tokens(item["text"]))
        for name in names:
            flag = next((f for f in flags if f.text == name), None)
            if flag is None:
                missed.append(name)
            elif strength.get((flag.start, flag.end)) == STRONG:
                by_jieba.append(name)
            else:
                by_heuristic.append(name)
    return by_jieba, by_heuristic, missed


def raw_nr_tags(items):
    count, words = 0, Counter()
    for item in items:
        for t in tokens(item["text"]):
            if t.flag.startswith("nr"):
                count += 1
                words[t.word] += 1
    return count, words


def speed(lines, seconds=2.0):
    def rate(texts):
        n, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for text in texts:
                scan_text(text)
            n += len(texts)
        return n / (time.perf_counter() - started)

    return rate(lines), rate([""] * 1000)


def unseen_seeds():
    folder = Path(os.environ.get("SEEDS_DIR", ROOT.parent / "shared" / "seeds"))
    rows, total = [], 0
    for seed in ("002", "003"):
        for path in sorted(folder.glob(f"{seed}_*.txt")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip():
                    total += 1
                    for f in scan_text(line.strip()):
                        rows.append((f"{seed}:{number}", f.kind, f.text, line.strip()))
    return total, rows


def main():
    data = json.loads(LABELLED.read_text(encoding="utf-8"))
    started = time.perf_counter()
    scan_text("张三5000元")
    load = time.perf_counter() - started

    planted, negatives, seeds = data["planted"], data["negatives"], data["seed_lines"]
    n_flags = sum(len(i["flags"]) for i in planted)
    print(f"Labelled set: {len(planted)} planted items with {n_flags} flags, {len(negatives)} negatives, "
          f"{len(seeds)} seed lines (000 and 004). jieba loaded in {load:.2f} s.\n")  # fmt: skip

    tp, fp, fn, false_flags, misses = quality(planted + negatives)
    print("Planted items and negatives (a flag counts when kind and text match):")
    print_table(tp, fp, fn)
    personal_recall = group_recall(tp, fn, PERSONAL)
    marker_recall = group_recall(tp, fn, ("marker",))
    verdict = "ok" if min(personal_recall, marker_recall) >= RECALL_TARGET else "UNDER"
    print(f"  recall on personal data {personal_recall:.3f}, on markers {marker_recall:.3f} "
          f"(target ≥ {RECALL_TARGET}): {verdict}")  # fmt: skip
    if misses:
        print("  missed:")
        show(misses)
    if false_flags:
        print("  false flags (on planted items and negatives):")
        show(false_flags)

    holdout = data.get("holdout", [])
    if holdout:
        tp, fp, fn, false_flags, misses = quality(holdout)
        print(f"\nHold-out rounds ({sum(len(i['flags']) for i in holdout)} flags in {len(holdout)} items), now:")
        print_table(tp, fp, fn)
        first = data.get("holdout_first_run", {})
        if first:
            runs = [f"round {r}: {v['found']}/{v['expected']}, {v['false_flags']} false" for r, v in first.items()]
            found_, expected_ = sum(v["found"] for v in first.values()), sum(v["expected"] for v in first.values())
            print(f"  first run of each round, before the scanner was changed for it: {'; '.join(runs)} "
                  f"(recall {found_ / expected_:.3f}): the figure for text the scanner has not seen")  # fmt: skip
        if misses:
            print("  missed:")
            show(misses)
        if false_flags:
            print("  false flags:")
            show(false_flags)

    tp, fp, fn, false_flags, misses = quality(seeds)
    print(f"\nSeeds 000 and 004: {sum(tp.values())} of {sum(tp.values()) + sum(fn.values())} real flags found, "
          f"{len(false_flags)} false flags on {len(seeds)} lines.")  # fmt: skip
    if false_flags:
        show(false_flags)
    if misses:
        print("  missed:")
        show(misses)

    by_jieba, by_heuristic, missed = jieba_vs_heuristic(planted + holdout + seeds)
    print(f"\nNames (planted, hold-out and seeds): {len(by_jieba)} found from jieba's nr tag (alone or after a lone "
          f"surname), {len(by_heuristic)} only by the surname heuristic ({', '.join(by_heuristic) or '—'}), "
          f"{len(missed)} missed ({', '.join(missed) or '—'}).")  # fmt: skip
    count, words = raw_nr_tags(seeds)
    print(f"  On the seed lines jieba emits {count} raw nr tags ({len(words)} distinct words; most frequent: "
          f"{', '.join(w for w, _ in words.most_common(12))}); flagged as names: "
          f"{sum(1 for i in seeds for f in scan(i) if f.kind == 'person_name')}.")  # fmt: skip

    lines = [i["text"] for i in seeds]
    lps, empty = speed(lines)
    print(f"\nSpeed: {lps:,.0f} seed lines/s; empty string {empty:,.0f} scans/s; ratio {lps / empty:.4f} "
          f"({1e6 / lps:.0f} µs per line against {1e6 / empty:.2f} µs).")  # fmt: skip

    total, rows = unseen_seeds()
    if total:
        print(f"\nUnlabelled seeds 002 and 003 ({total} lines): {len(rows)} flags (none was planted there):")
        show(rows)


if __name__ == "__main__":
    main()
