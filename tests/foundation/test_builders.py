"""Dataset builders on the package sample, the real corpus, and bad input."""

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swift_scifi.datasets.budget import estimate_tokens, tokenizer_counter
from swift_scifi.datasets.build import BUILDERS, build_rows
from swift_scifi.datasets.config import BuildConfig
from swift_scifi.datasets.corpus import read_corpus, sample_corpus_path
from swift_scifi.datasets.terms import extract_terms
from swift_scifi.text import count_length


def _chat_tokens(row, count):
    return sum(count(m["content"]) for m in row["messages"])


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_dataset_builds_from_the_sample_in_both_languages(name):
    rows = build_rows(name)
    assert {r["lang"] for r in rows} == {"zh", "en"}
    for row in rows:
        roles = [m["role"] for m in row["messages"]]
        assert roles[:2] == ["system", "user"]
        assert roles[2:] == ([] if name == "scifi-grpo-prompts" else ["assistant"])
        assert all(isinstance(m["content"], str) and m["content"].strip() for m in row["messages"])


def test_samples_fit_the_token_budget_of_the_target_tokenizer(tiny_model):
    count = tokenizer_counter(tiny_model)
    for name in BUILDERS:
        rows = build_rows(name, BuildConfig(max_tokens=512, tokenizer=tiny_model))
        assert rows, name
        assert max(_chat_tokens(r, count) for r in rows) <= 512 - 48, name


def test_grpo_prompts_carry_reward_columns():
    rows = build_rows("scifi-grpo-prompts")
    for row in rows:
        assert isinstance(row["terms"], list) and all(isinstance(t, str) and t for t in row["terms"])
        assert isinstance(row["target_length"], int) and 100 <= row["target_length"] <= 5000
        assert row["lang"] in ("zh", "en")
        # the target length is stated in the prompt, in the unit of the language
        unit = "字" if row["lang"] == "zh" else "words"
        assert f"{row['target_length']}{unit}" in row["messages"][1]["content"].replace(" ", "")
    assert sum(bool(r["terms"]) for r in rows) > len(rows) * 0.8


def test_chapter_gen_terms_are_the_books_recurring_names():
    rows = build_rows("scifi-chapter-gen", langs=["en"])
    time_machine = [r for r in rows if r["book"] == "The Time Machine"]
    assert any("Time Traveller" in r["terms"] for r in time_machine)
    for row in rows:
        assert all(t in row["messages"][2]["content"] for t in row["terms"])  # terms are used in the target


def test_chapter_gen_context_ends_where_the_target_begins(shared_corpus):
    text = (shared_corpus / "zh/liu_e_laocan_youji.txt").read_text("utf-8")
    rows = build_rows("scifi-chapter-gen", BuildConfig(corpus=shared_corpus / "zh/liu_e_laocan_youji.txt"))
    assert len(rows) > 50
    for row in rows[:20]:
        user, target = row["messages"][1]["content"], row["messages"][2]["content"]
        tail = user.rsplit("\n\n", 2)[-2]  # the last paragraph of the preceding text
        gap = text.index(target[:30]) - text.index(tail[-30:])
        assert 0 < gap < 300  # the target follows the context (a heading may sit between)


def test_writing_tasks_cover_each_task_with_true_answers():
    rows = build_rows("scifi-writing-tasks")
    assert {r["task"] for r in rows} == {"continue", "title", "outline", "opening"}
    titles = [r for r in rows if r["task"] == "title"]
    assert any(r["messages"][2]["content"] == "灵根育孕源流出　心性修持大道生" for r in titles)


def test_subset_language_filter():
    assert {r["lang"] for r in build_rows("scifi-calib", langs=["zh"])} == {"zh"}


def test_missing_corpus_is_a_clear_error(tmp_path):
    missing = tmp_path / "no-such-corpus"
    with pytest.raises(FileNotFoundError, match=str(missing)):
        build_rows("scifi-chapter-gen", BuildConfig(corpus=missing))


def test_bad_rows_are_skipped_and_counted_once(tmp_path, caplog):
    good = (sample_corpus_path() / "zh" / "liu_e_laocan_youji.txt").read_text("utf-8")
    lines = [
        json.dumps({"title": "老残游记", "text": good}, ensure_ascii=False).encode(),
        b"",  # empty
        b"\xff\xfe not utf-8 \x80",  # not UTF-8
        b"{not json",  # not JSON
        json.dumps({"title": "no text"}).encode(),  # missing field
        json.dumps({"text": ""}).encode(),  # empty book
        json.dumps({"text": "x " * 15_000}).encode(),  # over-long for the limit below
    ]
    (tmp_path / "books.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait".encode("latin-1"))
    with caplog.at_level(logging.WARNING, logger="swift_scifi"):
        books = read_corpus(tmp_path, max_book_chars=25_000)
        rows = build_rows("scifi-chapter-gen", BuildConfig(corpus=tmp_path))
    assert [b.name for b in books] == ["老残游记"]
    assert {r["book"] for r in rows} == {"老残游记", "books-7"}  # books-7 is within the default limit
    summary = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(summary) == 2  # one summary per call, not one line per row
    for reason in (
        "lines not UTF-8",
        "lines not JSON",
        "without a 'text' string",
        "empty books",
        "empty lines",
        "files not UTF-8",
        "books over 25000 characters",
    ):
        assert reason in summary[0], reason


def test_corpus_without_headings_falls_back_to_windows(tmp_path, caplog):
    text = "\n\n".join(f"他们在第{i}号舱段里检查曲率引擎的读数，一切正常。" * 6 for i in range(60))
    (tmp_path / "plain.txt").write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="swift_scifi"):
        rows = build_rows("scifi-chapter-gen", BuildConfig(corpus=tmp_path / "plain.txt", max_tokens=512))
    assert len(rows) >= 3
    assert any("no chapter headings" in r.getMessage() for r in caplog.records)
    assert all(r["chapter"].startswith("第") and r["chapter"].endswith("节") for r in rows)


def test_bad_env_config_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("SCIFI_MAX_TOKENS", "lots")
    with pytest.raises(ValueError, match="SCIFI_MAX_TOKENS"):
        BuildConfig.from_env()


def test_term_extraction_on_real_books(shared_corpus):
    en = extract_terms((shared_corpus / "en/burroughs_a_princess_of_mars.txt").read_text("utf-8"), "en")
    assert {"Dejah Thoris", "Tars Tarkas", "Barsoom", "John Carter"} <= set(en[:20])
    zh = extract_terms((shared_corpus / "zh/wu_chengen_xiyouji.txt").read_text("utf-8")[:200_000], "zh")
    assert {"三藏", "唐僧", "孙悟空"} <= set(zh[:60])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(
            [
                "第一章",
                "第二章 风暴",
                "Chapter 1",
                "\n\n",
                "\n\n\n",
                "他走了。",
                "The ship.",
                "曲率引擎",
                "“来。”",
                "x" * 50,
                "星" * 80,
            ]
        ),
        min_size=1,
        max_size=80,
    ).map("".join)
)
def test_builders_never_crash_and_always_fit(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("corpus") / "book.txt"
    path.write_text(text, encoding="utf-8")
    for name in BUILDERS:
        for row in build_rows(name, BuildConfig(corpus=path, max_tokens=256)):
            assert _chat_tokens(row, estimate_tokens) <= 256
            if "target_length" in row:
                assert row["target_length"] >= 100
    assert count_length(text) >= 0


def test_glossary_cache_returns_the_same_terms_and_survives_corruption(tmp_path, monkeypatch):
    from swift_scifi.datasets import terms as terms_mod

    monkeypatch.setenv("SCIFI_CACHE_DIR", str(tmp_path))
    text = (sample_corpus_path() / "zh" / "liu_e_laocan_youji.txt").read_text("utf-8")
    first = terms_mod.cached_extract_terms(text, "zh")
    files = list((tmp_path / "glossary").glob("*.json"))
    assert first == extract_terms(text, "zh") and len(files) == 1
    calls = []
    entry = terms_mod.GlossaryEntry("x", 3, "test")
    monkeypatch.setattr(terms_mod, "extract_glossary", lambda *a, **k: calls.append(a) or [entry])
    assert terms_mod.cached_extract_terms(text, "zh") == first and not calls  # served from disk
    files[0].write_text("{corrupt")
    assert terms_mod.cached_extract_terms(text, "zh") == ["x"] and calls  # recomputed, not crashed
