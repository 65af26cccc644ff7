"""Chinese glossary: new-word discovery filtered and completed by dictionary, suffix and speaker rules.

A term is kept for one of these reasons (the first that applies is reported):

- ``name``: a 2-3 character new word (see :mod:`.newwords`) outside jieba's dictionary that starts with a
  surname (程远舟, 林悦, 阿蒙);
- ``proper noun (jieba nr|ns|nz|nt)``: a dictionary word tagged as a name that recurs with free boundaries
  (孙悟空, 齐河县);
- ``coined: …S``: the longest stable form ``X…S`` before a coining suffix S (曲率引擎, 启明号, 望舒城);
- ``speaker``: the name before a speech verb at a quotation (“……”林悦说);
- ``new word``: any other cohesive, freely bounded n-gram outside the dictionary (玄鲸, 相位锚).

Left out: n-grams starting or ending with a function character (叫于, 本是, 舱里, 数到), common
dictionary vocabulary (控制台, 警报: a jieba word with no name tag), class nouns (a dictionary word after a
collective or classifier in 15%+ of its uses: 众宫娥, 几位姊姊: :func:`is_class_noun`), predicates (one after
an adverb in 20%+: 即传旨: :func:`is_predicate`), common nouns kept only because they stand before a speech
verb but seldom open a clause as its speaker (:func:`opens_clauses`), what a numeral counts (a word after a
numeral in half its uses: 碗酒 of 一碗酒, :func:`is_counted`), loosely joined fragments bound on one side
(上西 of 上西天: :func:`is_fragment`), and fragments of a longer kept term. Rules: data/terms/zh_rules.yaml.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from .newwords import NgramStats, discover, ngram_stats

RULES_PATH = Path(__file__).resolve().parent.parent / "data" / "terms" / "zh_rules.yaml"
_NAME_TAGS = {"nr", "nrt", "nrfg", "ns", "nz", "nt"}
# tags of a dictionary segment no term starts / ends with; a single-character segment is judged by the
# character lists of zh_rules.yaml instead (names are made of characters with arbitrary tags: 闰土, 翠环)
_BAD_FIRST_TAGS = {"p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "r", "d", "m", "q", "y", "e", "o", "f"}
_BAD_LAST_TAGS = _BAD_FIRST_TAGS | {"v", "a", "ad", "vg", "ag", "zg", "t"}
_NOT_KEY_TAGS = ("v", "i", "l", "p", "a", "d", "t", "m", "q", "r", "c", "u", "y", "e", "o", "f")  # no nouns
_NUMERALS = frozenset("一二三四五六七八九十百千万两几")
_PEOPLE_COUNTERS = frozenset("人位个名口")  # after a numeral at a word's end: how many people (二人, 三位)
KEYNESS = 6.0  # log2 of (rate in the book / rate in jieba's dictionary corpus) for a key word
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Z\uff21-\uff3a"


@lru_cache(maxsize=1)
def rules() -> dict:
    data = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    return {
        "surnames": frozenset(data["surnames"]),
        "bad_first": frozenset(data["bad_first"]),
        "bad_last": frozenset(data["bad_last"]),
        "soft_last": frozenset(data["soft_last"]),
        "suffixes": tuple(sorted(data["suffixes"], key=len, reverse=True)),
        "speech_verbs": tuple(sorted(data["speech_verbs"], key=len, reverse=True)),
        "not_names": frozenset(data["not_names"]),
    }


@lru_cache(maxsize=1)
def _jieba():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt, jieba.posseg.dt.word_tag_tab


def _dict_tag(word: str) -> str | None:
    """jieba's tag of ``word`` when it is a dictionary word (frequency > 0), else None."""
    dt, tags = _jieba()
    if dt.FREQ.get(word):
        return tags.get(word, "x")
    return None


def _segments(word: str) -> list[str]:
    dt, _ = _jieba()
    return list(dt.cut(word, HMM=False))


def _name_like(word: str) -> bool:
    """2-3 characters, a surname first that the dictionary does not join to the next character; a
    2-character one not ending in a function character or verb complement (何能, 向日 are no names)."""
    r = rules()
    if not (2 <= len(word) <= 3 and word[0] in r["surnames"] and _segments(word)[0] == word[0]):
        return False
    return len(word) == 3 or (word[1] not in r["bad_first"] and word[1] not in r["soft_last"])


def keyness(count: int, book_chars: int, word: str) -> float:
    """log2 of the word's rate in the book over its rate in jieba's dictionary corpus (per character)."""
    dt, _ = _jieba()
    f = dt.FREQ.get(word) or 1
    return math.log2(count * dt.total / (max(book_chars, 1) * f))


def junk_reason(word: str) -> str | None:
    """Why ``word`` is no term (a function-character edge, a function-word or predicate end), or None.

    Dictionary words are judged by :func:`dictionary_reason` instead."""
    r = rules()
    if word in r["not_names"]:
        return "common vocabulary"
    if word[-1] in r["bad_last"]:
        return "ends with a function character"
    if all(c in _NUMERALS for c in word):
        return "a number"
    if word[0] == "第" and all(c in _NUMERALS for c in word[1:]):
        return "an ordinal (第七十)"
    if len(word) > 2 and word[-2] in _NUMERALS and word[-1] in _PEOPLE_COUNTERS:
        return "names and a head count (唐、林二人: the two of them)"
    if any(c in "的了着过" for c in word[1:-1]):
        return "a phrase (的/了/着/过 inside)"
    name_like = _name_like(word)
    if word[-1] in r["soft_last"] and not name_like:
        return "ends with a verb complement"
    if word[0] in r["bad_first"] and not name_like:
        return "starts with a function character"
    if _dict_tag(word) is not None:
        return None
    if len(word) == 2 and word[0] in _NUMERALS:
        return "a number and a noun (二字, 三人)"
    segs = _segments(word)
    if len(word) == 2 and not name_like and _dict_tag(word[0]) == "v" and _dict_tag(word[1]) in ("n", "q"):
        return "a verb and its object (卖货, 回船)"
    if not name_like and len(word) > 2 and _dict_tag(word[0]) == "v":
        if word[1] == "一":
            return "a verb and its count (吃一惊, 退一步想)"
        if (
            len(segs) == 2
            and len(segs[0]) == 1
            and _dict_tag(segs[1]) == "n"
            and not word.endswith(r["suffixes"])
        ):
            return "a verb and its object (回故乡, 做短工)"
    if len(segs) > 1 and not name_like:
        first, last = _dict_tag(segs[0]), _dict_tag(segs[-1])
        if len(segs[0]) > 1 and first in _BAD_FIRST_TAGS:
            return f"starts with a function word ({segs[0]})"
        if len(segs[-1]) > 1 and not word.endswith(r["suffixes"]):
            if last in _BAD_LAST_TAGS:
                return f"ends with a function word or predicate ({segs[-1]})"
            if len(segs[0]) > 1 and len(segs) == 2:
                return f"a phrase of two dictionary words ({segs[0]} {segs[1]})"
    return None


SPEECH_CHARS = "道说问笑叫喊"  # one-character speech verbs (林悦道, 八戒笑)
SPEAKS = ", speaks"  # what a key word's reason adds when it was kept because it speaks


def speech_uses(stats: NgramStats, word: str) -> int:
    """Uses of ``word`` right before a one-character speech verb (道 说 问 笑 叫 喊)."""
    return sum(stats.count(word + v) for v in SPEECH_CHARS) if len(word) < 5 else 0


_NOT_HAN = re.compile(f"[^{_HAN}]")


def clause_speaker_uses(text: str, word: str) -> int:
    """Uses of ``word`` as the speaker that opens a clause: right before a one-character speech verb and right
    after punctuation, a quotation mark or a line start (。林悦道, ，程远舟笑道, ”阿蒙说). A name speaks there;
    a common noun or a gesture before the verb mostly follows the real speaker or a determiner (林悦点头道,
    那老人道): see :func:`opens_clauses`."""
    if len(word) >= 5:
        return 0
    n = 0
    for m in re.finditer(re.escape(word) + f"[{SPEECH_CHARS}]", text):
        s = m.start()
        n += s == 0 or bool(_NOT_HAN.match(text[s - 1]))
    return n


def opens_clauses(text: str, word: str, count: int) -> bool:
    """Whether a word kept as a key word because it speaks (:func:`dictionary_reason`) also speaks as a name
    does: as the speaker opening a clause (:func:`clause_speaker_uses`) >= 3 times and in >= 5% of its
    ``count`` uses, the bar its speech uses had to clear. Not so: a common noun or gesture that stands before
    the verb after the real speaker or a determiner."""
    return clause_speaker_uses(text, word) >= max(3, 0.05 * count)


# A collective or classifier right before a word (众宫娥, 两个差人, 几位姊姊) counts members of a class.
CLASS_MARKERS = "众诸群些两几各每个位名"
CLASS_SHARE = 0.15  # a dictionary word this often counted names a class of people or things, not one


def class_uses(stats: NgramStats, word: str) -> int:
    """Uses of ``word`` right after a collective or classifier (:data:`CLASS_MARKERS`)."""
    return sum(stats.count(c + word) for c in CLASS_MARKERS) if len(word) < 5 else 0


def is_class_noun(stats: NgramStats, word: str, count: int) -> bool:
    """A dictionary word counted with a collective or classifier in >= CLASS_SHARE of its ``count`` uses (众宫娥,
    几位姊姊, 两个差人): a class of people or things of the period (宫娥, 姊姊, 差人, 小妖), not a name, whatever
    jieba's tag. Names are not counted (众行者, 几位八戒 do not occur: 1-2% of their uses)."""
    return count > 0 and class_uses(stats, word) >= CLASS_SHARE * count


COUNT_SHARE = 0.5  # a word this often right after a numeral is what is counted (一碗酒, 三间房), not a name


def is_counted(stats: NgramStats, word: str, count: int) -> bool:
    """A word right after a numeral (:data:`_NUMERALS`) in >= COUNT_SHARE of its ``count`` uses, twice at
    least: a measure word and what it counts (碗酒 of 一碗酒, 间房, 尺多 of 一尺多, 月十 of 二月十五) or the tail
    of a numbered title (孝图 of 二十四孝图), not a name. Names after a numeral stay (海龙王 of 四海龙王: 42%)."""
    if count <= 0 or len(word) >= 5:
        return False
    uses = sum(stats.count(c + word) for c in _NUMERALS)
    return uses >= 2 and uses >= COUNT_SHARE * count


TAIL_SHARE = 0.5  # a word this often written on the end of a kept term straddles that term's edge


# Kept terms by their last character: the first characters of their two-character endings as ids (for one
# vectorised bound, :meth:`NgramStats.count_after`) and the terms under each ending.
Endings = dict[str, tuple[np.ndarray, dict[str, list[str]]]]


def kept_endings(stats: NgramStats, kept: list[str]) -> Endings:
    """The :data:`Endings` of the ``kept`` terms (2+ characters), for :func:`is_names_tail`."""
    by_last: dict[str, dict[str, list[str]]] = {}
    for v in kept:
        by_last.setdefault(v[-1], {}).setdefault(v[-2:], []).append(v)
    return {ch: (stats.ids("".join(e[0] for e in ends)), ends) for ch, ends in by_last.items()}


def is_names_tail(stats: NgramStats, text: str, word: str, count: int, endings: Endings) -> bool:
    """Whether ``word`` (up to 4 characters) is written as the last character of a kept term and what follows
    it (芝妹妹 of 紫芝妹妹, 玉芝妹妹, 兰芝妹妹) in >= TAIL_SHARE of its ``count`` uses, twice at least: its first
    character belongs to the names before it, so it is no term of its own. ``endings``: the kept terms'
    (:func:`kept_endings`); a bound from their two-character endings comes first, and only the few words it
    lets through get the exact count of each kept term joined to ``word``."""
    if count <= 0 or len(word) >= 5 or word[0] not in endings:
        return False
    lefts, by_end = endings[word[0]]
    need = max(2, TAIL_SHARE * count)
    if stats.count_after(lefts, word) < need:
        return False
    uses = 0
    for e, terms in by_end.items():
        if e in terms and e != word:
            uses += stats.count(e[0] + word)  # the two-character term itself: its longer forms included
            continue
        for v in terms:
            if v != word:
                joined = v + word[1:]
                uses += stats.count(joined) if len(joined) < len(stats.keys) else text.count(joined)
    return uses >= need


# An adverb right before a word (即传旨, 便教人) makes it a predicate: names stand before the adverb (行者便道).
ADVERB_MARKERS = "便即遂忙乃又也都就才再不没未已"
ADVERB_SHARE = 0.2


def is_predicate(stats: NgramStats, word: str, count: int) -> bool:
    """A dictionary word after an adverb (:data:`ADVERB_MARKERS`) in >= ADVERB_SHARE of its ``count`` uses: a
    verb phrase (传旨 40%, 教人 33%, 未可知 70%), not a name (names: 0-4%, places up to 13%)."""
    if count <= 0 or len(word) >= 5:
        return False
    return sum(stats.count(c + word) for c in ADVERB_MARKERS) >= ADVERB_SHARE * count


def dictionary_reason(
    word: str,
    count: int,
    book_chars: int,
    speaking: Callable[[], int] = lambda: 0,
) -> str | None:
    """Why a jieba dictionary word is a term of this book, or None (common vocabulary).

    A word used >= 10 times at >= 2**KEYNESS (64) times its general rate is a *key word* of the book
    (行者, 三藏, 老残) when jieba tags it as a name, or it speaks (``speaking()``: uses before a speech verb,
    >= 3 and >= 5% of its uses; 八戒道; :func:`extract` then also asks :func:`opens_clauses`), or its rate is
    >= 1000x (七斤). A rarer word counts only when jieba tags it as a person's name, it is rare in general
    (< 300 uses) and starts with a surname (孙悟空)."""
    tag = _dict_tag(word)
    if tag is None or word in rules()["not_names"]:
        return None
    k = keyness(count, book_chars, word)
    if count >= 10 and k >= 10 and tag[0] not in "vpcudr":
        return f"key word ({2**k:.0f}x its general rate)"
    if count >= 10 and k >= KEYNESS and not tag.startswith(_NOT_KEY_TAGS):
        speaks = tag not in _NAME_TAGS and speaking() >= max(3, 0.05 * count)
        if tag in _NAME_TAGS or speaks:
            return f"key word ({2**k:.0f}x its general rate{SPEAKS if speaks else ''})"
    dt, _ = _jieba()
    if tag in ("nr", "nrt", "nrfg") and word[0] in rules()["surnames"] and dt.FREQ[word] < 300:
        return f"proper noun (jieba {tag})"
    return None


FRAGMENT_PMI = 5.0  # bits (minimum over splits): cohesion below which a one-sided n-gram is a phrase piece
FRAGMENT_ENTROPY = 2.0  # bits: a side with fewer distinct neighbours than this is bound


def is_fragment(nw) -> bool:
    """A loosely joined n-gram (PMI < FRAGMENT_PMI) bound on one side (boundary entropy < FRAGMENT_ENTROPY
    bits): a piece of a longer phrase made of common characters (上西 of 上西天, 请师 of 请师父, 等老 of
    等老孙), not a word. Invented names are cohesive (PMI 6-12); a surname-first name (魏老, 张二) is kept."""
    return nw.pmi < FRAGMENT_PMI and min(nw.left_entropy, nw.right_entropy) < FRAGMENT_ENTROPY


NAME_PMI = 3.0  # bits: cohesion a surname-first new word (a name: 魏老, 张二) needs
NEW_WORD_PMI = 4.0  # bits: cohesion any other new word needs (below: 命人, 既无, 神僧, 老龙, 去请: phrases)


def kept_new_word(nw) -> bool:
    """Whether a discovered n-gram outside the dictionary is kept: a surname-first name with PMI >= NAME_PMI,
    any other with PMI >= NEW_WORD_PMI that is no fragment (:func:`is_fragment`) and no two verbs
    (:func:`is_serial_verbs`)."""
    if _name_like(nw.word):
        return nw.pmi >= NAME_PMI
    return nw.pmi >= NEW_WORD_PMI and not is_fragment(nw) and not is_serial_verbs(nw.word)


def is_serial_verbs(word: str) -> bool:
    """Whether ``word`` is two one-character verbs (jieba's tag v) one after the other: 归坐 "go back and sit",
    接令 "take the order", 可肯 "would agree". Cohesive in a book (its set phrases), a predicate all the same;
    a role that speaks (通使道) is still kept, as a speaker."""
    return len(word) == 2 and _dict_tag(word[0]) == "v" and _dict_tag(word[1]) == "v"


def _keep_reason(word: str, nw) -> str:
    if _name_like(word):
        return "name"
    return f"new word (pmi {nw.pmi:.1f}, entropy {nw.left_entropy:.1f}/{nw.right_entropy:.1f})"


def suffix_terms(stats: NgramStats, min_count: int) -> Counter[str]:
    """``X…S`` before each coining suffix S (3+ characters in all): the longest form ``X`` that keeps
    >= 4/5 of the uses of the next shorter one, never starting with a function character."""
    r = rules()
    out: Counter[str] = Counter()
    for suffix in r["suffixes"]:
        heads = stats.ending_with(suffix, min_count)  # X -> count of X + suffix, X of 1..5-len(suffix) chars
        for x1, c1 in heads.items():
            if len(x1) != 1:
                continue
            best, best_c = x1, c1
            while True:
                ext = max(
                    ((x, c) for x, c in heads.items() if len(x) == len(best) + 1 and x.endswith(best)),
                    key=lambda p: p[1],
                    default=None,
                )
                if ext is None or ext[1] < max(min_count, 0.8 * best_c) or ext[0][0] in r["bad_first"]:
                    break
                best, best_c = ext
            if len(best) + len(suffix) >= 3 and best[0] not in r["bad_first"]:
                out[best + suffix] = max(out[best + suffix], best_c)
    return out


BOUND_SHARE = 0.5  # share of a coined term's uses followed by one character that makes a word with its suffix
BOUND_MIN_USES = 3  # fewest such uses that show it (a word seen once says nothing)


def suffix_bound(stats: NgramStats, word: str) -> bool:
    """Whether the coining suffix of ``word`` is the first half of the next word: one character follows it
    in >= BOUND_SHARE of its uses (BOUND_MIN_USES at least) and makes a dictionary word with the suffix or
    its last character (主义国|家, 发文机|关, 人民政府城|市, 天理国|法, 承包协议|书): a word cut in two, not a
    coined name. Read on the word's last characters (at most the longest n-gram less one) when longer."""
    tail = word[-(len(stats.keys) - 2) :]
    nxt, c = stats.top_right(tail)
    if c < BOUND_MIN_USES or c < BOUND_SHARE * stats.count(tail):
        return False
    return _dict_tag(word[-1] + nxt) is not None or _dict_tag(_suffix_of(word) + nxt) is not None


def front_cut(stats: NgramStats, word: str) -> bool:
    """Whether ``word`` is the back of a longer word cut at its first character: one character stands before
    it in >= BOUND_SHARE of its uses (BOUND_MIN_USES at least) and makes a dictionary word with that first
    character (有|限公司, 阿|里巴巴集团, 人|员持股计划, 发|行股份, 长|期借款). The mirror of :func:`suffix_bound`;
    read on the word's first characters (at most the longest n-gram less one) when longer."""
    head = word[: len(stats.keys) - 2]
    prev, c = stats.top_left(head)
    if c < BOUND_MIN_USES or _dict_tag(prev + word[0]) is None:
        return False
    return c >= BOUND_SHARE * stats.count(head)


def speaker_terms(text: str) -> Counter[str]:
    """Names before a speech verb at a quotation: “……”林悦说 / 林悦道：“……”."""
    verbs = "|".join(rules()["speech_verbs"])
    pat = re.compile(
        f"(?:[”」』]|^|[。！？\\n])\\s*([{_HAN}]{{2,4}}?)(?:{verbs})(?:[：:，,。]|\\s*[“「『])", re.MULTILINE
    )
    return Counter(m.group(1) for m in pat.finditer(text))


def extract(text: str, min_count: int = 3, stats: NgramStats | None = None) -> list[tuple[str, int, str]]:
    """(term, count, reason) for the book ``text``, most frequent first."""
    stats = stats or ngram_stats(text)
    speakers = speaker_terms(text)
    found: dict[str, tuple[int, str]] = {}
    classes: set[str] = set()
    r = rules()
    for nw in discover(
        stats, min_count, -1e9, drop_last=r["bad_last"], drop_first=r["bad_first"] - r["surnames"]
    ):
        w = nw.word
        if junk_reason(w):
            continue
        if _dict_tag(w) is not None:
            why = dictionary_reason(w, nw.count, stats.total, lambda w=w: speech_uses(stats, w))
            if why:
                found[w] = (nw.count, why)
                if (
                    is_class_noun(stats, w, nw.count)
                    or is_predicate(stats, w, nw.count)
                    or (why.endswith(SPEAKS + ")") and not opens_clauses(text, w, nw.count))
                ):
                    classes.add(w)  # kept until the end: it still holds back its extensions (芝姊姊, 姊姊既)
        elif kept_new_word(nw) and not front_cut(stats, w):
            found[w] = (nw.count, _keep_reason(w, nw))
    for w, c in suffix_terms(stats, min_count).items():
        if w in found or junk_reason(w) or _dict_tag(w) is not None:
            continue
        if not suffix_bound(stats, w) and not front_cut(stats, w):
            found[w] = (c, f"coined: …{_suffix_of(w)}")
    for w, c in speakers.items():
        if w in found:
            n, why = found[w]
            found[w] = (n, why if "speaker" in why else why + "; speaker")
            continue
        n = stats.count(w) if len(w) < len(stats.keys) else text.count(w)
        if n >= min_count and not junk_reason(w) and c >= 2 and _dict_tag(w) is None:
            found[w] = (n, "speaker")
    # a fragment always written inside one longer kept term (率引 inside 曲率引擎)
    containers: dict[str, list[str]] = {}
    for v in found:
        for i in range(len(v)):
            for j in range(i + 2, len(v) + 1):
                if j - i < len(v):
                    containers.setdefault(v[i:j], []).append(v)
    for w in [w for w in found if w in containers]:
        if any(found[v][0] >= 0.9 * found[w][0] for v in containers[w] if v in found):
            found.pop(w)
    # a term glued to a more frequent kept term (保唐僧, 伏侍唐僧, 向唐敖)
    for w in sorted(found, key=len, reverse=True):
        parts = {w[i:j] for i in range(len(w)) for j in range(i + 2, len(w) + 1) if j - i < len(w)}
        for v in sorted(parts & found.keys(), key=len):
            if found[v][0] >= 2 * found[w][0] and is_glued(w, v):
                found.pop(w)
                break
    # a kept term followed by a speech verb is the name speaking (那人道, 行者道): drop the longer form
    for w in list(found):
        for verb in rules()["speech_verbs"]:
            if w.endswith(verb) and w[: -len(verb)] in found:
                found.pop(w, None)
                break
    for w in classes:
        found.pop(w, None)
    for w in [w for w, (n, _) in found.items() if is_counted(stats, w, n)]:
        found.pop(w)
    endings = kept_endings(stats, list(found))
    for w in [w for w, (n, _) in found.items() if is_names_tail(stats, text, w, n, endings)]:
        found.pop(w)
    return sorted(((w, n, why) for w, (n, why) in found.items()), key=lambda x: (-x[1], x[0]))


def is_glued(word: str, kept: str) -> bool:
    """Whether ``word``, holding the kept term ``kept``, is that term with other words glued on (保唐僧 "guard
    唐僧", 向唐敖 "to 唐敖") rather than a longer name of its own: a surname before it (孙悟空) or a coining
    suffix after it (曲率引擎站) makes one, except a surname that is a function character too (向, 于 stand
    before a name as prepositions as often: :data:`rules` ``bad_first``)."""
    r = rules()
    rest = word.replace(kept, "", 1)
    if word.endswith(kept) and len(rest) == 1 and rest in r["surnames"] and rest not in r["bad_first"]:
        return False
    return not (word.startswith(kept) and rest in r["suffixes"])


def _suffix_of(word: str) -> str:
    return next(s for s in rules()["suffixes"] if word.endswith(s))
