"""Highlights from the real rewards: term variants, slop phrases and principle violations at the right
characters with their reasons; inert HTML; the reranker's order."""

from __future__ import annotations

import re

from swift_scifi.serve.ranking import rank_texts
from swift_scifi.studio.highlight import (
    Span,
    breakdown_html,
    explain_candidate,
    render_html,
    rerank,
    term_spans,
)

EN = (
    "Captain Elera Voss watched the rings turn. A testament to patience, the station endured. "
    "<script>alert('x')</script> She went down to the hangar. It was all a dream."
)
ZH = "张北海站在舰桥上。他的眼中闪烁着坚定的光芒。曲律引擎低沉地轰鸣。原来这一切只是一场梦。"


def _marked(e, kind):
    return [(e.text[s.start : s.end], s.reason) for s in e.spans if s.kind == kind]


def test_english_spans_and_reasons():
    e = explain_candidate(EN, terms=["Elara"])
    assert ("Elera", "Term variant (edit1) of the glossary term “Elara”") in _marked(e, "term")
    assert any(t == "testament to" and "Slop phrase" in r for t, r in _marked(e, "slop"))
    principle = _marked(e, "principle")
    assert any(t == "It was all a dream" and r.startswith("Principle no-dream-ending:") for t, r in principle)
    assert e.scores["term_consistency"] < 1 and 0 <= e.scores["writing"] <= 1


def test_chinese_spans_and_reasons():
    e = explain_candidate(ZH, terms=["章北海", "曲率引擎"])
    terms = dict(_marked(e, "term"))
    assert terms == {
        "张北海": "Term variant (homophone) of the glossary term “章北海”",
        "曲律引擎": "Term variant (homophone) of the glossary term “曲率引擎”",
    }
    assert ("闪烁着坚定的光芒",) == tuple(t for t, _ in _marked(e, "slop"))
    assert [t for t, _ in _marked(e, "principle")] == ["只是一场梦"]
    assert "不用" in _marked(e, "principle")[0][1]  # the principle's description in the text's language


def test_term_variant_inside_a_correct_use_is_not_marked():
    rows = [{"term": "Elara", "forms": ["Elar (edit1)"]}, {"term": "Elar Station", "forms": []}]
    assert term_spans("Elar Station and Elar", rows) == [
        Span(17, 21, "term", "Term variant (edit1) of the glossary term “Elara”")
    ]
    assert term_spans("Elaria", [{"term": "Elara", "forms": ["Elari (edit1)"]}]) == []  # whole words only


def test_render_html_is_inert_and_keeps_every_character():
    e = explain_candidate(EN, terms=["Elara"])
    page = render_html(e.text, e.spans, ["whole <text> reason"])
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;text&gt;" in page
    visible = re.sub(r"<[^>]+>", "", page.split('<ul class="hl-whole">')[0])
    import html

    assert html.unescape(visible) == e.text  # marks wrap the text, never drop or repeat any of it
    assert page.count('class="hl hl-term"') == 1 and 'data-reason="Term variant (edit1)' in page


def test_overlapping_spans_split_and_show_every_reason():
    spans = [Span(0, 6, "slop", "slop reason"), Span(3, 9, "term", "term reason")]
    page = render_html("abcdefghij", spans)
    assert '<mark class="hl hl-slop" title="slop reason" data-reason="slop reason">abc</mark>' in page
    assert '<mark class="hl hl-term hl-slop" title="term reason\nslop reason"' in page
    assert ">ghi</mark>j" in page


def test_rerank_is_the_reranker_order():
    texts = [EN, "The hangar smelled of coolant. Mara counted the drones twice, then a third time, and wrote "
             "the number on her palm because the tablet had died an hour ago."]  # fmt: skip
    explained = [explain_candidate(t, terms=["Elara"]) for t in texts]
    expected = [r.index for r in rank_texts(texts, terms=["Elara"])]
    assert rerank(explained) == expected
    assert "reranker rank 1" in breakdown_html(explained[expected[0]], 0)
