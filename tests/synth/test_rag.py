"""scifi-rag: retrieval never returns the target or its neighbours, the keep rules measure what they say
(retrieved passages pass, random ones from the same book do not), the templates are parallel data, and the
dataset builds in ms-swift's SFT format with a consistent quality report."""

import random

import pytest

from swift_scifi.datasets.build import build_rows
from swift_scifi.datasets.config import BuildConfig
from swift_scifi.datasets.corpus import read_corpus, sample_corpus_path
from swift_scifi.datasets.rag import LAST_REPORT
from swift_scifi.datasets.terms import cached_extract_terms
from swift_scifi.synth.rag import (
    BookReferences,
    References,
    bible_support,
    leak_range,
    load_data,
    passage_support,
    rules,
    term_in,
)
from swift_scifi.synth.retrieval import PassageIndex, content_words
from swift_scifi.text.windows import window_text


def _book(name: str) -> tuple[list[str], BookReferences]:
    """A bundled book cut into ~200-unit windows (more continuation points than the 2,048-token default)."""
    book = next(b for b in read_corpus(sample_corpus_path()) if b.name == name)
    windows = window_text(book.text, 200, book.lang)[:80]
    return windows, BookReferences(windows, cached_extract_terms(book.text, book.lang), book.lang, 70)


@pytest.fixture(scope="module")
def en_book():
    return _book("The Time Machine")


@pytest.fixture(scope="module")
def zh_book():
    return _book("西游记")


def test_search_masks_the_excluded_windows_even_for_an_exact_match():
    texts = [f"the harbour lay quiet under grey rain number {i}" for i in range(10)]
    texts[5] = "Tiangong station spun its mirrors over the glacier and the glacier shone"
    texts[8] = "far away a glacier"  # the only other passage sharing a word with the query
    index = PassageIndex(texts, list(range(10)), "en")
    query = content_words(texts[5], "en")
    assert index.search(query, 3, range(100, 101))[0][0] == 5  # unmasked, the target itself ranks first
    hits = index.search(query, 3, leak_range(5, 1))
    assert [i for i, _ in hits] == [8]  # windows 4-6 are out; zero-score passages are not returned
    assert index.search([], 3, range(0)) == []


def test_content_words_drop_stopwords_and_cut_chinese_into_words():
    assert content_words("The Martian and the heat-ray were there.", "en") == ["martian", "heat-ray"]
    # jieba words of 2+ characters; bm25s's Chinese list (841 words) also drops common verbs such as 看见
    assert content_words("他看见远处的天鹰站正缓缓转动。", "zh") == ["远处", "天鹰", "缓缓"]


@pytest.mark.parametrize("book", ["en", "zh"])
def test_no_reference_comes_from_the_target_or_its_neighbours(book, en_book, zh_book):
    windows, refs = en_book if book == "en" else zh_book
    seen = {"bible": 0, "passages": 0}
    for i in range(1, len(windows)):
        exclude = leak_range(i)
        assert exclude == range(i - rules()["leak_window"], i + rules()["leak_window"] + 1)
        for got in (refs.bible(i, random.Random(i)), refs.passages(i)):
            if isinstance(got, str):
                continue
            seen[got.kind] += 1
            assert got.sources and all(s not in exclude for s in got.sources)
            for item in got.items:  # no reference sentence or passage is a copy of a span of the target
                body = item.split("：" if refs.lang == "zh" else ": ", 1)[-1].strip("…")
                assert len(body) < 30 or body not in windows[i]
    assert seen["bible"] > 0 and seen["passages"] > 0


def test_bible_samples_keep_only_when_the_target_uses_the_entries(en_book):
    windows, refs = en_book
    kept = 0
    for i in range(1, len(windows)):
        got = refs.bible(i, random.Random(i))
        if isinstance(got, str):
            assert got in {
                "too few glossary terms in the target",
                "too few entries defined outside the leak window",
            }
            continue
        kept += 1
        used = [t for t in got.terms if term_in(t, windows[i], "en")]
        assert len(used) >= rules()["bible_min_used"] and got.support.shared == len(used)
        distractors = [t for t in got.terms if t not in used]
        assert len(distractors) <= rules()["bible_distractors"]
        assert all(term_in(t, windows[i - 1], "en") for t in distractors)
        for item, term in zip(got.items, got.terms, strict=True):
            assert item.startswith(f"- {term}: ") and term_in(term, item.split(": ", 1)[1].strip("…"), "en")
    assert kept >= 5


def test_support_counts_only_what_the_preceding_text_does_not_hold():
    target = "The Martian cylinder cooled in the sandpit while the heat-ray swept the common."
    prev = "A cylinder fell on the common."
    refs = ["The heat-ray burnt the pines.", "The sandpit was full of Martian wreckage."]
    s = passage_support(target, refs, prev, "en")
    # target words: martian cylinder cooled sandpit heat-ray swept common; refs add martian sandpit heat-ray
    assert (s.shared, round(s.share, 3)) == (3, round(3 / 7, 3))
    assert passage_support(target, [prev], prev, "en").shared == 0
    assert bible_support(target, ("Martian", "Ogilvy", "heat-ray"), "en").terms == ("Martian", "heat-ray")
    assert not term_in("Mar", "Martian", "en") and term_in("天鹰站", "远处的天鹰站", "zh")


@pytest.mark.parametrize("book", ["en", "zh"])
def test_keep_rule_passes_retrieved_passages_and_refuses_random_ones(book, en_book, zh_book):
    """Validity of the overlap rule: BM25 passages pass it far more often than random passages of the same
    book outside the leak window (measured: random <= 4 %, retrieved 22-41 % on the bundled books)."""
    windows, refs = en_book if book == "en" else zh_book
    r, rng = rules(), random.Random(0)
    retrieved = passed_random = n = 0
    for i in range(1, len(windows)):
        n += 1
        retrieved += isinstance(refs.passages(i), References)
        pool = [j for j in range(len(refs.index)) if refs.index.windows[j] not in leak_range(i)]
        items = [refs.index.passages[j] for j in rng.sample(pool, r["passages_k"])]
        s = passage_support(windows[i], items, windows[i - 1], refs.lang)
        passed_random += s.shared >= r["passages_min_shared"] and s.share >= r["passages_min_support"]
    assert passed_random / n <= 0.1 and retrieved / n >= 0.15 and retrieved > 3 * passed_random


def test_templates_are_ten_per_language_parallel_and_complete():
    data = load_data()
    zh, en = data["templates"]["zh"], data["templates"]["en"]
    assert len(zh) == len(en) == 10 and [t["id"] for t in zh] == [t["id"] for t in en]
    assert {t["kind"] for t in zh} == {"bible", "passages"}
    for t in zh + en:
        assert "{references}" in t["text"] and "{previous}" in t["text"]
        t["text"].format(references="R", previous="P", book="B", chapter="C")


def test_dataset_rows_and_report():
    rows = build_rows("scifi-rag", BuildConfig.from_env(corpus=sample_corpus_path()))
    rep = LAST_REPORT.as_dict()
    assert rows and rep["kept"] == len(rows)
    assert rep["points"] == rep["kept"] + rep["points_without_sample"]
    assert set(rep["kept_by_kind"]) == {"bible", "passages"} and set(rep["kept_by_lang"]) == {"zh", "en"}
    assert sum(rep["kept_by_template"].values()) == len(rows) and rep["dropped_by_reason"]
    assert rep["support"]["passages_share_of_target_words"]["min"] >= rules()["passages_min_support"]
    assert rep["support"]["bible_terms_used"]["min"] >= rules()["bible_min_used"]
    ids = {t["id"] for t in load_data()["templates"]["zh"]}
    for row in rows:
        system, user, assistant = row["messages"]
        assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant"]
        assert row["template"] in ids and row["ref_kind"] in ("bible", "passages")
        assert assistant["content"] not in user["content"]  # the target never leaks into the prompt
        if row["ref_kind"] == "bible":
            assert all(f"- {t}" in user["content"] for t in row["terms"])
            assert sum(term_in(t, assistant["content"], row["lang"]) for t in row["terms"]) >= 2


def test_a_repeated_copy_of_the_target_elsewhere_in_the_book_is_skipped():
    """Leak through duplication: a chapter printed twice must not serve as the target's own reference."""
    rng = random.Random(0)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(400)]
    windows = [" ".join(rng.choice(vocab) for _ in range(60)) + "." for _ in range(12)]
    windows[9] = windows[3]  # the target's text again, far outside the leak window
    refs = BookReferences(windows, [], "en", 200)
    top = refs.index.search(refs.tokens(3), 1, leak_range(3))[0][0]
    assert refs.index.windows[top] == 9  # BM25 alone would hand the copy back
    got = refs.passages(3)
    assert refs.duplicates_skipped >= 1
    if isinstance(got, References):
        assert 9 not in got.sources and all(item != windows[3] for item in got.items)


def test_build_dataset_writes_the_report_as_json_and_a_page(tmp_path):
    """`swift-scifi build-dataset scifi-rag` on the bundled English books: rows, OUT.report.json and OUT.report.html
    (the counts as tables, each breakdown as a chart)."""
    import json

    from typer.testing import CliRunner

    from swift_scifi.cli import app

    book = sample_corpus_path() / "en"
    out = tmp_path / "rag.jsonl"
    res = CliRunner().invoke(app, ["build-dataset", "scifi-rag", "--corpus", str(book), "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = out.read_text().splitlines()
    rep = json.loads((tmp_path / "rag.report.json").read_text())
    assert rep["kept"] == len(rows) > 0
    page = (tmp_path / "rag.report.html").read_text()
    assert "scifi-rag: quality report" in page and "data:image/png" in page and "alt='kept_by_lang'" in page
