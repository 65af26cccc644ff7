"""Every validity measure for every reward key and every rule principle, as one JSON-ready dict.

Definitions (all scores 0-1, higher is better):
- **fires**: a reward fires on a text when its score is below 1 (``< 1 - 1e-9``); a principle fires when its
  adherence is below 1 (not fully followed). ``fpr`` = share of clean human windows where it fires;
  for term consistency, where it reports any near miss with the window's own glossary terms
  (:func:`_term_fpr`: without terms it has nothing to check).
- **auc**: P(score of a human window > score of an LLM text) + P(tie)/2, English only (the LLM texts are
  slop-score's English outputs; there is no Chinese LLM prose in the data). 0.5 = no separation.
- **rho_model**: Spearman between each model's mean score and minus slop-score's composite (so > 0 means
  the reward prefers the models slop-score finds less sloppy); ``leaderboard`` uses the published
  per-model composite, ``held_out_prompts`` / ``held_out_both`` recompute it from the per-item metrics of
  the prompts (and models) not used to fit the slop weights (see :func:`data.held_out`).
- **rho_item**: the same per text, against the item's composite (and each official metric, negated).
- **planted**: share of clean windows where a planted defect scores strictly lower; ``padding_raises``:
  share where appending a clean window to a slop-injected one raises the score (a dilution incentive).
- **length_parser**: share of LongBench-Write / LongWrite-Ruler queries whose stated ``length`` the prompt
  parser recovers (the stated length lies in the parsed range and equals one of its finite bounds, or the
  range is at most 2x wide).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..rewards import TextView, load_principles, parse_target, principles_report, score_batch
from . import data as vdata
from . import slop_score
from .planted import DEFECTS, inject_slop
from .stats import auc, spearman

FIRE_EPS = 1e-9
LANGS = ("en", "zh")


def _fires(x: float | None) -> bool | None:
    return None if x is None else x < 1.0 - FIRE_EPS


def _rate(flags: list[bool | None]) -> float | None:
    vals = [f for f in flags if f is not None]
    return sum(vals) / len(vals) if vals else None


def _mean(xs: list[float | None]) -> float | None:
    vals = [x for x in xs if x is not None]
    return float(np.mean(vals)) if vals else None


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None else round(float(x), nd)


def _scores(texts: list[str], lang: str, **cols: Any) -> tuple[list[dict], list[dict]]:
    """score_batch dicts and principles_report dicts of ``texts``."""
    rewards = score_batch(texts, lang=lang, **cols) if texts else []
    prins = [principles_report(TextView(t, lang)) for t in texts]
    return rewards, prins


def _keys(rows: list[dict]) -> list[str]:
    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    return list(keys)


def run(
    data: Path,
    n_windows: int = 300,
    window_chars: int = 3000,
    llm_per_model: int | None = None,
    seed: int = 0,
    log: Callable[[str], None] = lambda s: None,
) -> dict[str, Any]:
    """Measure everything; see the module docstring for the definitions."""
    t0 = time.time()
    data = vdata.check_data_dir(Path(data))
    sourced = {lang: vdata.human_windows(data, lang, n_windows, window_chars, seed) for lang in LANGS}
    windows = {lang: [w for _, w in sourced[lang]] for lang in LANGS}
    llm = vdata.llm_outputs(data, llm_per_model, seed)
    rows = vdata.leaderboard(data)
    log(f"scoring {sum(map(len, windows.values()))} human windows and {len(llm)} LLM texts")
    human = {lang: _scores(windows[lang], lang) for lang in LANGS}
    llm_r, llm_p = _scores([x.text for x in llm], "en")
    keys = _keys([r for lang in LANGS for r in human[lang][0]] + llm_r)

    agree = _Agreement(llm, rows)
    rewards = {}
    for k in keys:
        h = {lang: [r.get(k) for r in human[lang][0]] for lang in LANGS}
        lv = [r.get(k) for r in llm_r]
        rewards[k] = {
            "fpr": {lang: _r(_rate([_fires(x) for x in h[lang]])) for lang in LANGS},
            "mean_human": {lang: _r(_mean(h[lang])) for lang in LANGS},
            "mean_llm_en": _r(_mean(lv)),
            "auc_en": _r(_auc(h["en"], lv)),
            **agree.measure(lv),
        }
    if "slop" in rewards:
        rewards["slop"].update(_slop_extra(sourced, human, llm, agree))
    if "term_consistency" in rewards:
        log("term consistency on the books' own glossaries")
        rewards["term_consistency"]["fpr"] = _term_fpr(data, sourced)
    log("planted defects")
    planted = _planted(windows, seed)
    for k in rewards:
        rewards[k]["planted"] = {d: v.get(k) for d, v in planted["order"].items()}
        rewards[k]["padding_raises"] = planted["padding_raises"].get(k)

    principles = _principles(human, llm_p, agree)
    out = {
        "meta": {
            "data": str(data),
            "seed": seed,
            "human_windows": {lang: len(windows[lang]) for lang in LANGS},
            "window_chars": window_chars,
            "llm_texts": len(llm),
            "llm_texts_empty_skipped": vdata.empty_outputs(data),
            "llm_models": len(agree.models),
            "data_versions": _data_versions(),
            "zh_llm_prose": "none in the data: AUC and outside agreement are English only",
        },
        "rewards": rewards,
        "principles": principles,
        "length_parser": _length_parser(data),
    }
    out["meta"]["seconds"] = round(time.time() - t0, 1)
    return out


def _auc(human: list[float | None], llm: list[float | None]) -> float | None:
    return auc([x for x in human if x is not None], [x for x in llm if x is not None])


class _Agreement:
    """Spearman agreement of per-text values on the LLM texts with slop-score's signal."""

    def __init__(self, llm: list[vdata.LLMText], rows: list[dict]):
        self.llm = llm
        self.bounds = slop_score.bounds(rows)
        self.board = slop_score.leaderboard_composites(rows)
        self.models = sorted({x.model for x in llm})
        rank = {m: i for i, m in enumerate(self.models)}
        self.split = [vdata.held_out(rank[x.model], x.prompt_index) for x in llm]
        self.item_comp = [-slop_score.composite(x.official, self.bounds) for x in llm]

    def _per_model(self, values: list[float | None], keep: list[bool], board: bool) -> float | None:
        by: dict[str, list[int]] = {}
        for i, (x, v) in enumerate(zip(self.llm, values, strict=True)):
            if keep[i] and v is not None:
                by.setdefault(x.model, []).append(i)
        models = sorted(by)
        if board:
            ref = [-self.board[m] for m in models]
        else:
            ref = [
                -slop_score.composite(
                    slop_score.pooled_metrics((self.llm[i].official, len(self.llm[i].text)) for i in by[m]),
                    self.bounds,
                )
                for m in models
            ]
        return spearman([float(np.mean([values[i] for i in by[m]])) for m in models], ref)

    def _per_item(self, values: list[float | None], ref: list[float], keep: list[bool]) -> float | None:
        idx = [i for i, v in enumerate(values) if v is not None and keep[i]]
        return spearman([values[i] for i in idx], [ref[i] for i in idx])

    def measure(self, values: list[float | None]) -> dict[str, Any]:
        every = [True] * len(values)
        hp = [p for p, _ in self.split]
        hb = [p and m for p, m in self.split]
        return {
            "rho_model": {
                "leaderboard": _r(self._per_model(values, every, True)),
                "held_out_prompts": _r(self._per_model(values, hp, False)),
                "held_out_both": _r(self._per_model(values, hb, False)),
            },
            "rho_item": {
                "composite": _r(self._per_item(values, self.item_comp, every)),
                "composite_held_out_prompts": _r(self._per_item(values, self.item_comp, hp)),
                **{
                    k: _r(self._per_item(values, [-x.official[k] for x in self.llm], every))
                    for k in slop_score.METRICS
                },
            },
        }


def _slop_extra(sourced: dict, human: dict, llm: list[vdata.LLMText], agree: _Agreement) -> dict[str, Any]:
    """Slop only: FPR on the novels its weights were not fitted on, and per-model agreement of the pooled
    density (weighted hits per 1,000 units over all of a model's texts, as slop-score pools its metrics)."""
    from ..rewards.slop import slop_report
    from ..rewards.slop_lists import load_weights

    prov = load_weights().get("provenance", {})
    fitted = {lang: set(prov.get(f"human_prose_{lang}", {}).get("files", [])) for lang in LANGS}
    held = {
        lang: [
            _fires(r.get("slop"))
            for (name, _), r in zip(sourced[lang], human[lang][0], strict=True)
            if name not in fitted[lang]
        ]
        for lang in LANGS
    }
    reports = [slop_report(TextView(x.text, "en")) for x in llm]
    units = [TextView(x.text, "en").length for x in llm]
    per_model: dict[str, dict[str, list[int]]] = {}
    for i, x in enumerate(llm):
        p_held, m_held = agree.split[i]
        for key, keep in (
            ("leaderboard", True),
            ("held_out_prompts", p_held),
            ("held_out_both", p_held and m_held),
        ):
            if keep:
                per_model.setdefault(key, {}).setdefault(x.model, []).append(i)
    rho = {}
    for key, by in per_model.items():
        models = sorted(by)
        dens = [
            -sum(reports[i]["weighted"] for i in by[m]) * 1000 / max(1, sum(units[i] for i in by[m]))
            for m in models
        ]
        if key == "leaderboard":
            ref = [-agree.board[m] for m in models]
        else:
            ref = [
                -slop_score.composite(
                    slop_score.pooled_metrics((llm[i].official, len(llm[i].text)) for i in by[m]),
                    agree.bounds,
                )
                for m in models
            ]
        rho[key] = _r(spearman(dens, ref))
    return {
        "fpr_held_out_novels": {
            lang: _r(_rate(held[lang])) if held[lang] and fitted[lang] else None for lang in LANGS
        },
        "rho_model_pooled_density": rho,
        "data_version": _data_versions().get("slop"),
    }


TERM_TOP_K, TERM_PER_WINDOW = 200, 20


def _term_fpr(data: Path, sourced: dict[str, list[tuple[str, str]]]) -> dict[str, float | None]:
    """Term consistency's false positives: the share of clean human windows with any near-miss hit, each
    window scored with the terms of its book's glossary (extracted, cached, top 200) that it contains (at
    most 20) and the book's own near-forms of them (``term_forms``), as a GRPO row carries them."""
    from ..datasets.terms import GlossaryMatcher, attested_forms, cached_extract_terms
    from ..rewards.term_consistency import term_report

    out: dict[str, float | None] = {}
    for lang, pairs in sourced.items():
        books: dict[str, tuple[GlossaryMatcher, dict[str, list[str]]]] = {}
        flags: list[bool | None] = []
        for name, window in pairs:
            if name not in books:
                text = (data / "corpus" / lang / name).read_text(encoding="utf-8")
                glossary = cached_extract_terms(text, lang, TERM_TOP_K)
                books[name] = (GlossaryMatcher(glossary), attested_forms(text, glossary))
            matcher, forms_of = books[name]
            own = matcher.terms_in(window, TERM_PER_WINDOW)
            forms = [f for t in own for f in forms_of.get(t, ())]
            flags.append(bool(own) and term_report(window, own, forms=forms).n_variants > 0)
        out[lang] = _r(_rate(flags))
    return out


def _planted(windows: dict[str, list[str]], seed: int) -> dict[str, dict]:
    """defect -> key -> share planted < clean; key -> share padded > slop-injected."""
    order: dict[str, dict[str, list[bool]]] = {}
    raises: dict[str, list[bool]] = {}
    for lang in LANGS:
        clean = windows[lang]
        rng = random.Random(f"{seed}:planted:{lang}")
        for name, (plant, _) in DEFECTS.items():
            bad = [plant(t, lang, rng) for t in clean]
            cols = {"target_length": [TextView(t, lang).length for t in clean]} if "length" in name else {}
            good_s, bad_s = score_batch(clean, lang=lang, **cols), score_batch(bad, lang=lang, **cols)
            for g, b in zip(good_s, bad_s, strict=True):
                for k, gv in g.items():
                    if gv is not None and b.get(k) is not None:
                        order.setdefault(name, {}).setdefault(k, []).append(b[k] < gv)
        flawed = [inject_slop(t, lang, rng) for t in clean]
        padded = [f + "\n\n" + clean[(i + 1) % len(clean)] for i, f in enumerate(flawed)]
        for f, p in zip(score_batch(flawed, lang=lang), score_batch(padded, lang=lang), strict=True):
            for k, fv in f.items():
                if fv is not None and p.get(k) is not None:
                    raises.setdefault(k, []).append(p[k] > fv + FIRE_EPS)
    return {
        "order": {d: {k: _r(_rate(v)) for k, v in ks.items()} for d, ks in order.items()},
        "padding_raises": {k: _r(_rate(v)) for k, v in raises.items()},
    }


def _principles(human: dict, llm_p: list[dict], agree: _Agreement) -> dict[str, dict]:
    out = {}
    examples = _example_order()
    for p in load_principles():
        if not p.is_rule:
            continue
        h = {lang: [r.get(p.id) for r in human[lang][1]] if lang in p.langs else [] for lang in LANGS}
        lv = [r.get(p.id) for r in llm_p] if "en" in p.langs else [None] * len(llm_p)
        out[p.id] = {
            "langs": list(p.langs),
            "weight": p.weight,
            "fpr": {lang: _r(_rate([_fires(x) for x in h[lang]])) for lang in LANGS},
            "fires_llm_en": _r(_rate([_fires(x) for x in lv])),
            "auc_en": _r(_auc(h["en"], lv)),
            **agree.measure(lv),
            "example_ordered": examples.get(p.id),
        }
    return out


def _example_order() -> dict[str, bool | None]:
    """Principle id -> its ``violates`` example scores below its ``follows`` example (None if unscorable)."""
    out = {}
    for p in load_principles():
        if not p.is_rule:
            continue
        good, bad = TextView(p.follows), TextView(p.violates)
        if good.lang not in p.langs or bad.lang != good.lang:
            out[p.id] = None
            continue
        out[p.id] = principles_report(bad).get(p.id, 1.0) < principles_report(good).get(p.id, 1.0)
    return out


def _length_parser(data: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    total = ok_total = 0
    for name, qs in vdata.longbench_queries(data).items():
        misses = []
        ok = 0
        for q in qs:
            if recovers(parse_target(q["prompt"]), float(q["length"])):
                ok += 1
            else:
                misses.append(q["prompt"][:120])
        out[name] = {"n": len(qs), "recovered": ok, "rate": _r(ok / max(len(qs), 1)), "misses": misses[:20]}
        total, ok_total = total + len(qs), ok_total + ok
    out["all"] = {"n": total, "recovered": ok_total, "rate": _r(ok_total / max(total, 1))}
    return out


def recovers(target: Any, stated: float) -> bool:
    """The parsed target matches the stated length: it lies in the range, and equals a finite bound or the
    range is at most twice as wide as its lower bound."""
    if target is None:
        return False
    lo, hi = (target, target) if isinstance(target, (int, float)) else target
    if not lo <= stated <= hi:
        return False
    return stated in (lo, hi) or (lo > 0 and hi <= 2 * lo)


def _data_versions() -> dict[str, Any]:
    """Versions / hashes of the scoring data, where the reward modules expose them."""
    import hashlib

    from ..rewards import principles as pr_mod
    from ..rewards import slop as slop_mod

    out: dict[str, Any] = {
        "principles_sha256": hashlib.sha256(pr_mod.PRINCIPLES_FILE.read_bytes()).hexdigest()[:12],
    }
    for name in ("DATA_VERSION", "data_version"):
        v = getattr(slop_mod, name, None)
        if v is not None:
            out["slop"] = v() if callable(v) else v
    return out
