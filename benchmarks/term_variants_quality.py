"""Term-consistency validity on real prose (docs/rewards.md, "Term consistency: measured").

    python benchmarks/term_variants_quality.py [N_PLANTS]

For every book of the shared corpus (../shared/data/corpus), its glossary is extracted (top 200), and the
book is cut into windows of about 1,000 characters (zh) / 1,500 (en).

1. False positives on clean human prose: the share of windows where the scorer reports any near miss,
   (a) with the window's own terms (the glossary terms it contains, at most 20: what a training sample
   carries) and their ``term_forms`` (near-forms the book itself uses 2+ times, as the GRPO builder
   writes them), (b) the same without term_forms, and (c) with the whole 200-term glossary. Also (a) less
   the hits that are real slips of the source text (tests/terms/data/zh_source_slips.yaml, checked by hand),
   and (zh) the windows per cause of their hits (tests/terms/data/zh_fp_causes.yaml, classified by hand).
   Target: no hit in >= 99% of windows.
2. Planted swaps: in windows that use a 2-4 character Chinese name (tests/terms/data/zh_names.yaml, names
   listed by hand for each book; English: names and coined terms of the glossary), one use is changed by
   one character: a homophone (same toneless reading among the replacement's readings in use,
   zh_readings.tsv), a near-homophone (only through the merged confusions
   zh/z ch/c sh/s n/l an/ang en/eng in/ing), a look-alike (形近字 table). English: a one-letter edit, a
   transposition, a case change, a hyphenation change. The clean window must score higher than the planted
   one. Target: >= 95%. Two settings of the terms each plant is scored with:
   - ``window``: the planted name and a glossary extracted from the window alone at min_count 1 (the
     first rounds' setting; a one-window glossary holds fragments such as 同多 of 唐敖同多九公, and a near
     miss that overlaps one is read as that term's correct use);
   - ``sample``: the planted name and the book glossary's terms in the window (at most 20), as a training
     sample of the GRPO builder carries them (datasets/book.py), with their ``term_forms``.
   A lost plant that is a form the book itself writes 2+ times (its ``term_forms``: most are another name
   of the book, 钱太爷 for 赵太爷, 兰音 for 兰言) is counted apart: the reward passes such a form by design.

``python benchmarks/term_variants_quality.py --zh-plants [DRAWS]`` (about 7 min): the Chinese half alone, for
weighing a rule per half: every clean-window hit less source slips, listed with its cause and context, and
planted swaps in *every* window with a listed name, DRAWS draws each (default 3; seed 1): about 9,600 plants,
each kind's ordering and lost count on the fit and the held-out books. ``--show-lost`` also lists the plants
lost on the fit books (never the held-out ones), to read for a rule. Both modes show Chinese text (hits,
examples, missed plants) from the fit books only: the held-out books' hits are counted per cause, never shown.

The term check's context model (swift_scifi/rewards/zh_context.py, asked at homophone-word hits) has read no
book of the corpus (jieba's dictionary and WritingBench queries): both halves are scored as a user's book is.
"""

from __future__ import annotations

import os
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from swift_scifi.datasets.terms import GlossaryMatcher, attested_forms, extract_terms  # noqa: E402
from swift_scifi.rewards.term_consistency import term_report  # noqa: E402

SHARED = Path(os.environ.get("SCIFI_SHARED_DATA", ROOT.parent / "shared" / "data")) / "corpus"


# Rules of this round were fitted on these books and are reported on the other half too (held out): a rule
# that only pays on the books it was read on does not generalise.
FIT_BOOKS = frozenset({"li_ruzhen_jinghuayuan", "lu_xun_nahan", "lu_xun_zhaohua_xishi"})


def half(book: str) -> str:
    """'fit' for a book the rules were read on, 'held' for the held-out half."""
    return "fit" if book in FIT_BOOKS else "held"


# causes of a zh hit that is no slip of the source (tests/terms/data/zh_fp_causes.yaml), in counting order
CAUSES = ("other_name", "glossary_word", "word_meant", "edge_word", "outward_word", "unclassified")


def windows(text: str, size: int) -> list[str]:
    paras = [p for p in text.split("\n") if p.strip()]
    out, cur = [], ""
    for p in paras:
        cur += p + "\n"
        if len(cur) >= size:
            out.append(cur)
            cur = ""
    return out


def window_report(w: str, matcher: GlossaryMatcher, forms_of: dict[str, list[str]]):
    """The report of window ``w`` scored as a training sample is: with the glossary terms it contains (at most
    20) and their ``term_forms``; None when it contains none."""
    own = matcher.terms_in(w, 20)
    return term_report(w, own, forms=[f for t in own for f in forms_of.get(t, ())]) if own else None


def plant_settings(term: str, w: str, ext: list[str], own: list[str]) -> dict[str, list[str]]:
    """The terms a plant of ``term`` in the window ``w`` is scored with, per setting (module docstring):
    ``window``, the term and the one-window glossary ``ext`` found in ``w`` (at most 20); ``sample``, the
    term and the book glossary's terms in ``w``, ``own``."""
    return {
        "window": list(dict.fromkeys([term] + GlossaryMatcher([term] + ext).terms_in(w, 20))),
        "sample": list(dict.fromkeys([term] + own)),
    }


def zh_swaps(term: str, rng: random.Random) -> dict[str, str]:
    """One planted variant of ``term`` per kind (or none where no such character exists)."""
    from swift_scifi.rewards.zh_variants import (
        _by_syllable,
        _chars,
        fuzzy_syllable,
        lookalikes,
        readings,
        readings_in_use,
    )

    rd = readings(term)
    out = {}
    positions = list(range(len(term)))
    rng.shuffle(positions)
    _, common = _chars()
    for kind in ("homophone", "near-homophone", "lookalike"):
        for i in positions:
            ch = term[i]
            if kind == "lookalike":
                cands = list(lookalikes(ch))
            else:
                same = [c for c in common if rd[i] in readings_in_use(c)]
                if kind == "homophone":
                    cands = same
                else:
                    cands = [c for c in _by_syllable().get(fuzzy_syllable(rd[i]), "") if c not in same]
            cands = [c for c in cands if c != ch]
            if cands:
                out[kind] = term[:i] + rng.choice(cands) + term[i + 1 :]
                break
    return out


def en_swaps(term: str, rng: random.Random) -> dict[str, str]:
    out = {}
    w = term
    letters = [i for i, c in enumerate(w) if c.isalpha() and 0 < i < len(w) - 1]
    if len(w) >= 5 and letters:
        i = rng.choice(letters)
        vow = "aeiou"
        if w[i] in vow:
            out["one-letter edit"] = w[:i] + rng.choice([v for v in vow if v != w[i]]) + w[i + 1 :]
        else:
            out["one-letter edit"] = w[:i] + w[i + 1 :]
        j = rng.choice(letters[:-1] or letters)
        if j + 1 < len(w) and w[j + 1].isalpha() and w[j] != w[j + 1]:
            out["transposition"] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    out["case"] = w.lower() if w != w.lower() else w.capitalize()
    if "-" in w:
        out["hyphenation"] = w.replace("-", " ")
    elif " " in w:
        out["hyphenation"] = w.replace(" ", "-")
    return out


def zh_plants(draws: int = 3, show_lost: bool = False) -> None:
    """The --zh-plants mode (module docstring); ``show_lost``: list the plants lost on the fit books."""
    import yaml

    rng = random.Random(1)
    data = ROOT / "tests" / "terms" / "data"
    zh_names = yaml.safe_load((data / "zh_names.yaml").read_text("utf-8"))
    slips = yaml.safe_load((data / "zh_source_slips.yaml").read_text("utf-8"))
    causes = yaml.safe_load((data / "zh_fp_causes.yaml").read_text("utf-8"))
    fp, res, hits, lost = Counter(), Counter(), [], []
    for path in sorted((SHARED / "zh").glob("*.txt")):
        book, text = path.stem, path.read_text("utf-8")
        h = half(book)
        glossary = extract_terms(text, "zh", top_k=200)
        matcher = GlossaryMatcher(glossary)
        forms_of = attested_forms(text, glossary + zh_names.get(book, []))
        cause_of = {f: c for c, forms in (causes.get(book) or {}).items() for f in forms}
        for w in windows(text, 1000):
            fp[f"n:{h}"] += 1
            rep = window_report(w, matcher, forms_of)
            found = [(t, s, k) for t, v in (rep.variants.items() if rep else ()) for s, k in v]
            found = [x for x in found if x[1] not in set(slips.get(book, []))]
            if found:
                fp[f"hit:{h}"] += 1
                for t, s, k in found:
                    if h == "held":  # held-out text is counted, never shown
                        fp[f"held-cause:{cause_of.get(s, 'unclassified')}"] += 1
                        continue
                    i = w.find(s)
                    around = w[max(0, i - 8) : i + len(s) + 8].replace("\n", "/")
                    hits.append(f"{h} {book} {t} -> {s} ({k}; {cause_of.get(s, 'unclassified')}) {around}")
            names = [t for t in zh_names.get(book, []) if t in w and text.count(t) >= 3]
            if not names:
                continue
            ext = extract_terms(w, "zh", min_count=1)
            own = matcher.terms_in(w, 20)
            for _ in range(draws):
                term = rng.choice(names)
                settings = plant_settings(term, w, ext, own)
                at = rng.choice([m.start() for m in re.finditer(re.escape(term), w)])
                clean = {}
                for kind, form in zh_swaps(term, rng).items():
                    if any(form in listed for listed in settings.values()):
                        continue
                    bad = w[:at] + form + w[at + len(term) :]
                    for setting, terms in settings.items():
                        forms = [f for t in terms for f in forms_of.get(t, ())]
                        if setting not in clean:
                            clean[setting] = term_report(w, terms, forms=forms).score()
                        res[f"n:{kind}:{h}:{setting}"] += 1
                        won = clean[setting] > term_report(bad, terms, forms=forms).score()
                        res[f"ok:{kind}:{h}:{setting}"] += won
                        res[f"own:{kind}:{h}:{setting}"] += not won and form in forms
                        if show_lost and not won and h == "fit":
                            around = bad[max(0, at - 10) : at + len(form) + 10].replace("\n", "/")
                            lost.append(f"lost ({setting}) {kind} {book} {term} -> {form} | {around}")
    for h in ("fit", "held"):
        print(f"zh {h} books: {fp[f'hit:{h}']}/{fp[f'n:{h}']} clean windows hit less source slips")
    print("    held-out hits per cause:", {c: fp[f"held-cause:{c}"] for c in CAUSES})
    for line in sorted(hits) + lost:
        print("   ", line)
    for setting in ("window", "sample"):
        for kind in ("homophone", "near-homophone", "lookalike"):
            n = {h: res[f"n:{kind}:{h}:{setting}"] for h in ("fit", "held")}
            ok = {h: res[f"ok:{kind}:{h}:{setting}"] for h in ("fit", "held")}
            print(
                f"zh {kind:15s} ({setting}) {sum(ok.values()) / max(sum(n.values()), 1):.1%}: "
                + ", ".join(f"{h} {ok[h] / max(n[h], 1):.1%} ({n[h] - ok[h]} lost of {n[h]})" for h in n)
                + " — lost plants that are a form the book writes 2+ times (term_forms), fit / held: "
                + " / ".join(str(res[f"own:{kind}:{h}:{setting}"]) for h in n)
            )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--zh-plants":
        args = [a for a in sys.argv[2:] if a != "--show-lost"]
        zh_plants(int(args[0]) if args else 3, "--show-lost" in sys.argv)
        return
    n_plants = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    rng = random.Random(0)
    fp = {lang: Counter() for lang in ("zh", "en")}
    examples: dict[str, list[str]] = {"zh": [], "en": []}
    plants: list[tuple[str, str, str, str, list[str]]] = []  # lang, window, term, book, the window's terms
    import yaml

    data = ROOT / "tests" / "terms" / "data"
    zh_names = yaml.safe_load((data / "zh_names.yaml").read_text("utf-8"))
    slips = yaml.safe_load((data / "zh_source_slips.yaml").read_text("utf-8"))
    causes = yaml.safe_load((data / "zh_fp_causes.yaml").read_text("utf-8"))
    book_forms: dict[str, dict[str, list[str]]] = {}
    for lang in ("zh", "en"):
        for path in sorted((SHARED / lang).glob("*.txt")):
            text = path.read_text("utf-8")
            glossary = extract_terms(text, lang, top_k=200)
            matcher = GlossaryMatcher(glossary)
            forms_of = book_forms[path.stem] = attested_forms(text, glossary + zh_names.get(path.stem, []))
            book_slips = set(slips.get(path.stem, []))
            cause_of = {f: c for c, forms in (causes.get(path.stem) or {}).items() for f in forms}
            for w in windows(text, 1000 if lang == "zh" else 1500):
                own = matcher.terms_in(w, 20)
                forms = [f for t in own for f in forms_of.get(t, ())]
                fp[lang]["windows"] += 1
                fp[lang][f"windows:{half(path.stem)}"] += 1
                if own and term_report(w, own).n_variants:
                    fp[lang]["bare"] += 1
                rep = term_report(w, own, forms=forms) if own else None
                if rep and rep.n_variants:
                    fp[lang]["own"] += 1
                    fp[lang][f"own:{path.stem}"] += 1
                    hit_forms = [s for v in rep.variants.values() for s, _ in v]
                    if any(s not in book_slips for s in hit_forms):
                        fp[lang]["own-slips"] += 1
                        fp[lang][f"own-slips:{half(path.stem)}"] += 1
                    if lang == "zh":
                        found = {cause_of.get(s, "unclassified") for s in hit_forms if s not in book_slips}
                        first = next((c for c in CAUSES if c in found), "source_slip")
                        fp[lang][f"cause:{first}"] += 1
                    for t, forms in rep.variants.items():
                        for _, k in forms:
                            fp[lang][f"kind:{k}/{len(t) if lang == 'zh' else ''}"] += 1
                    if len(examples[lang]) < 12 and (lang == "en" or half(path.stem) == "fit"):
                        examples[lang].append(f"{path.stem}: {dict(rep.variants)}")  # held-out zh: counted
                fp[lang][f"win:{path.stem}"] += 1
                if term_report(w, glossary).n_variants:
                    fp[lang]["full"] += 1
                if lang == "zh":
                    names = [t for t in zh_names.get(path.stem, []) if t in w and text.count(t) >= 3]
                else:
                    names = [t for t in own if len(t) >= 4]
                if names:
                    plants.append((lang, w, rng.choice(names), path.stem, own))
    for lang in ("zh", "en"):
        c = fp[lang]
        n = c["windows"]
        print(
            f"{lang}: clean windows {n}: with a near-miss hit, own terms + term_forms {c['own']} "
            f"({c['own'] / n:.2%}; less source slips {c['own-slips'] / n:.2%}), own terms without "
            f"term_forms {c['bare']} ({c['bare'] / n:.2%}), whole glossary {c['full']} ({c['full'] / n:.2%})"
        )
        for h in ("fit", "held") if lang == "zh" else ():
            nh = c[f"windows:{h}"]
            print(
                f"    {h} books: {c[f'own-slips:{h}']}/{nh} windows hit less source slips ({c[f'own-slips:{h}'] / max(nh, 1):.2%})"
            )
        per_book = {k[4:]: f"{c[k]}/{c['win:' + k[4:]]}" for k in c if k.startswith("own:")}
        print("    windows with a hit, per book:", per_book)
        if lang == "zh":
            by_cause = {c: f"{fp[lang]['cause:' + c]} ({fp[lang]['cause:' + c] / n:.2%})" for c in CAUSES}
            by_cause["source_slip"] = f"{c['cause:source_slip']} ({c['cause:source_slip'] / n:.2%})"
            print("    windows with a hit, per cause:", by_cause)
        print(
            "    hits by kind/term length:", {k[5:]: v for k, v in sorted(c.items()) if k.startswith("kind:")}
        )
        for e in examples[lang]:
            print("   ", e)
    rng.shuffle(plants)
    results: dict[tuple[str, str], Counter] = {}
    missed: dict[str, list[str]] = {}
    for lang, w, term, book, own in plants[: 2 * n_plants]:
        swaps = zh_swaps(term, rng) if lang == "zh" else en_swaps(term, rng)
        settings = plant_settings(term, w, extract_terms(w, lang, min_count=1), own)
        pat = re.escape(term) if lang == "zh" else rf"(?<![\w-]){re.escape(term)}(?![\w-])"
        idx = [m.start() for m in re.finditer(pat, w)]
        if not idx:
            continue
        at = rng.choice(idx)
        for setting, terms in settings.items():
            forms = [f for t in terms for f in book_forms[book].get(t, ())]
            clean = term_report(w, terms, forms=forms).score()
            for kind, form in swaps.items():
                if any(form in listed for listed in settings.values()):
                    continue  # another term of the window: no slip; the same plants in both settings
                bad = w[:at] + form + w[at + len(term) :]
                r = results.setdefault((lang, kind, setting), Counter())
                r["n"] += 1
                r[f"n:{half(book)}"] += 1
                if clean > term_report(bad, terms, forms=forms).score():
                    r["ok"] += 1
                    r[f"ok:{half(book)}"] += 1
                    continue
                r["own"] += form in forms  # lost by design: a form the book itself writes 2+ times
                shown = lang == "en" or half(book) == "fit"  # held-out zh plants are counted, never shown
                if shown and len(missed.setdefault(kind, [])) < 8 and setting == "window":
                    missed[kind].append(f"{term}->{form}")
    print(
        f"{'planted swap':36s} {'n':>5s} {'clean scores higher':>20s} {'fit books':>10s} {'held out':>10s}"
        f" {'lost: book forms':>17s}"
    )
    for (lang, kind, setting), r in sorted(results.items()):
        halves = " ".join(f"{r[f'ok:{h}'] / max(r[f'n:{h}'], 1):10.1%}" for h in ("fit", "held"))
        halves = halves if lang == "zh" else " " * 21
        print(
            f"{lang + ' ' + kind + ' (' + setting + ')':36s} {r['n']:5d} {r['ok'] / r['n']:20.1%} {halves} "
            f"{r['n'] - r['ok']:7d}: {r['own']:7d}   "
            + (f"missed e.g. {missed.get(kind, [])[:5]}" if setting == "window" else "")
        )


if __name__ == "__main__":
    main()
