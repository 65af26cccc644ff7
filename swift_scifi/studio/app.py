"""The editor studio: a gradio app over :class:`swift_scifi.studio.store.Store` and a generation backend.

Tabs: Project (world bible, import), Generate (n streamed candidates, explained and reranked; the editor
reorders, rates and accepts), Compare (version history, side-by-side diff), Arena (blind A/B votes,
Bradley-Terry leaderboard), Edit (in-place edit with LAMP tags and a note), Export (DPO/KTO/SFT JSONL).

Every handler reads the logged-in editor from gradio's auth (``request.username``) and passes it to each
store write. Model text only reaches the page through escaped HTML (highlight, diff) or plain textboxes.
Every text input is bounded in the browser (``max_length``) and checked again here (a client can skip the
browser). The store is the only state shared between sessions; a session's candidates live in gr.State.
"""

from __future__ import annotations

import hmac
import html
import json
import os
import random
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home (offline machines, privacy)

import gradio as gr  # noqa: E402

from . import diff as diffmod  # noqa: E402
from . import highlight as hl
from . import limits
from .generate import BackendError, Cancel, Setting, build_messages, list_models, stream_candidates
from .project_import import decode, prefill_glossary, split_chapters
from .store import LAMP_CATEGORIES

MAX_CANDIDATES = 4
# Browser-side caps in characters; the store checks the same limits in UTF-8 bytes (limits.py).
MAX_TEXT = limits.TEXT_BYTES  # chapter / candidate / setting / style text
MAX_INSTRUCTION = 4_000
MAX_NOTE = limits.NOTE_BYTES
MAX_NAME = limits.NAME_CHARS
MAX_GLOSSARY_TERMS = limits.GLOSSARY_TERMS
MAX_TERM = limits.TERM_CHARS
MAX_UPLOAD = "5mb"
LEADERBOARD_TTL = 5.0  # seconds a computed leaderboard is shown to every session
ARENA_POOL = 200  # latest candidates of a project the arena draws pairs from
POOL_TTL = 2.0  # seconds a project's candidate list is shared by all sessions
THUMBS = ("good · 好", "bad · 差")
OUTCOMES = {"A": "a", "B": "b", "Tie": "tie", "Both bad": "both_bad"}

CSS = (
    hl.HIGHLIGHT_CSS
    + diffmod.DIFF_CSS
    + """
body, .gradio-container {font-family: "Noto Sans", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif;}
.cand-text textarea {line-height: 1.7;}
.studio-reveal {font-weight: bold;}
.cand-head {font-weight: bold; margin-bottom: .3em;}
"""
)


class StudioError(gr.Error):
    """A message for the editor (bad input, nothing selected); shown as a gradio error toast. gradio
    renders the message as HTML, so it is escaped (it may quote the editor's input)."""

    def __init__(self, message: str) -> None:
        super().__init__(html.escape(message, quote=True), print_exception=False)


class _UserErrors:
    """The store, with its ValueErrors (size limits, unknown ids, bad input) turned into messages for the
    editor instead of a failed event."""

    def __init__(self, store) -> None:
        self._store = store

    def __getattr__(self, name: str):
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            try:
                return attr(*args, **kwargs)
            except ValueError as err:
                raise StudioError(str(err)) from err

        return call


def _limit(text: str | None, limit: int, what: str) -> str:
    text = text or ""
    if len(text) > limit:
        raise StudioError(f"{what} is {len(text):,} characters; the limit is {limit:,}.")
    return text


def parse_glossary(text: str | None) -> list[str]:
    """One term per line (commas and 、 also separate); blank lines dropped; duplicates once, in order."""
    text = _limit(text, MAX_GLOSSARY_TERMS * (MAX_TERM + 1), "The glossary")
    raw = [t.strip() for line in text.splitlines() for t in line.replace("、", ",").split(",")]
    terms = list(dict.fromkeys(t for t in raw if t))
    if len(terms) > MAX_GLOSSARY_TERMS:
        raise StudioError(f"The glossary has {len(terms):,} terms; the limit is {MAX_GLOSSARY_TERMS:,}.")
    long = [t for t in terms if len(t) > MAX_TERM]
    if long:
        raise StudioError(f"A glossary term is longer than {MAX_TERM} characters: {long[0][:40]}…")
    return terms


def parse_settings(models: Sequence[str] | str | None, temperatures: str | None, n: int) -> list[Setting]:
    """n candidate settings: models × temperatures, cycled (candidate i gets model i mod M, temperature
    i mod T), so an arena pair can come from different models or settings."""
    if isinstance(models, str):
        models = [m.strip() for m in models.split(",")]
    names = [m for m in (models or ()) if m] or ["default"]
    temps = []
    for part in (temperatures or "").replace("，", ",").split(","):
        if part.strip():
            try:
                value = float(part)
            except ValueError as err:
                raise StudioError(f"Temperature {part.strip()!r} is not a number.") from err
            if not 0 <= value <= 2:
                raise StudioError(f"Temperature {value} is outside 0-2.")
            temps.append(value)
    temps = temps or [0.8]
    return [Setting(names[i % len(names)], {"temperature": temps[i % len(temps)]}) for i in range(n)]


def _id(value: Any, what: str) -> int:
    """An id sent by the page (dropdown values are not trusted: the store checks they exist)."""
    try:
        out = int(value)
    except (TypeError, ValueError) as err:
        raise StudioError(f"Pick a {what}.") from err
    if out < 1 or str(out) != str(value).strip():
        raise StudioError(f"Pick a {what}.")
    return out


def _editor(request: gr.Request | None) -> str:
    name = getattr(request, "username", None) if request is not None else None
    if not name:
        raise StudioError("Please log in.")
    return str(name)


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _project_choices(store) -> list[tuple[str, int]]:
    return [(p["name"], int(p["id"])) for p in store.list_projects()]


def _chapters_html(project: dict | None) -> str:
    if not project:
        return "<p>No project selected.</p>"
    rows = "".join(
        f"<li>{_esc(c.get('title') or '')} · {len(c.get('text') or ''):,} chars</li>"
        for c in project.get("chapters") or ()
    )
    return f"<div class='studio-chapters'><b>{_esc(project['name'])}</b><ol>{rows}</ol></div>"


def _candidate_label(i: int) -> str:
    return f"Candidate {i + 1} · 候选 {i + 1}"


class Studio:
    """The app's handlers over one store and one backend (shared by every session)."""

    def __init__(
        self,
        store,
        backend_url: str,
        *,
        api_key: str | None = None,
        token: str | None = None,
        models: Sequence[str] = (),
        export_dir: str | Path | None = None,
        explain: Callable[..., hl.Explained] = hl.explain_candidate,
        rng: random.Random | None = None,
    ) -> None:
        self.store = _UserErrors(store)
        self.backend_url = backend_url
        self.api_key = api_key
        self.token = token
        self.models = list(models)
        self.export_dir = Path(export_dir or tempfile.mkdtemp(prefix="scifi-studio-export-"))
        self.explain = explain
        self.rng = rng or random.Random()
        self._cancels: dict[str, Cancel] = {}
        self._lock = threading.Lock()
        self._board: tuple[float, list[list]] | None = None
        self._board_lock = threading.Lock()
        self._pools: dict[int, tuple[float, list[dict]]] = {}

    # ---- login -------------------------------------------------------------------------------------
    def authenticate(self, username: str, password: str) -> bool:
        """gradio's auth callback: the shared token (any editor name) or an editor account."""
        if not username or len(username) > MAX_NAME or len(password or "") > 1024:
            return False
        if self.token and hmac.compare_digest(password.encode(), self.token.encode()):
            return True
        try:
            return self.store.authenticate(username, password) is not None
        except Exception:
            return False

    # ---- projects ----------------------------------------------------------------------------------
    def load_project(self, project_id):
        """Project selected: its world bible into the editors, its chapters listed."""
        if project_id in (None, ""):
            return "", "", "", _chapters_html(None), gr.update(choices=[], value=None)
        p = self.store.get_project(_id(project_id, "project"))
        chapters = [(c.get("title") or f"#{c['id']}", int(c["id"])) for c in p.get("chapters") or ()]
        return (
            p.get("setting") or "",
            p.get("style_notes") or "",
            "\n".join(p.get("glossary") or ()),
            _chapters_html(p),
            gr.update(choices=chapters, value=chapters[-1][1] if chapters else None),
        )

    def create_project(self, name, setting, style, glossary, upload, request: gr.Request):
        editor = _editor(request)
        name = _limit(name, MAX_NAME, "The project name").strip()
        if not name:
            raise StudioError("Give the project a name.")
        setting = _limit(setting, MAX_TEXT, "The setting")
        style = _limit(style, MAX_TEXT, "The style notes")
        terms = parse_glossary(glossary)
        chapters = []
        if upload:
            path = upload if isinstance(upload, str) else getattr(upload, "name", None) or upload["path"]
            try:
                text = decode(Path(path).read_bytes())
                chapters = split_chapters(text)
            except ValueError as err:
                raise StudioError(f"Import failed: {err}") from err
            for ch in chapters:
                _limit(ch.text, MAX_TEXT, f"Chapter “{ch.title[:40]}”")
            extracted = prefill_glossary(text) if text.strip() else []
            terms = list(dict.fromkeys([*terms, *extracted]))[:MAX_GLOSSARY_TERMS]
        try:
            pid = self.store.create_project(editor, name, setting=setting, style_notes=style, glossary=terms)
            for ch in chapters:
                self.store.add_chapter(editor, pid, ch.title, ch.text, source="import")
        except ValueError as err:
            raise StudioError(str(err)) from err
        msg = f"Created project “{name}” with {len(chapters)} chapters and {len(terms)} glossary terms."
        clear = gr.update(value="")  # the form is emptied for the next project
        return (
            gr.update(choices=_project_choices(self.store), value=pid),
            _esc(msg),
            clear,
            clear,
            clear,
            clear,
            None,
        )

    def save_bible(self, project_id, setting, style, glossary, request: gr.Request):
        editor = _editor(request)
        pid = self._need_project(project_id)
        try:
            self.store.update_project(
                editor,
                pid,
                setting=_limit(setting, MAX_TEXT, "The setting"),
                style_notes=_limit(style, MAX_TEXT, "The style notes"),
                glossary=parse_glossary(glossary),
            )
        except ValueError as err:
            raise StudioError(str(err)) from err
        return "Saved the world bible."

    def refresh_projects(self):
        return gr.update(choices=_project_choices(self.store))

    @staticmethod
    def _need_project(project_id) -> int:
        if project_id in (None, ""):
            raise StudioError("Select or create a project first.")
        return _id(project_id, "project")

    # ---- generate ----------------------------------------------------------------------------------
    def backend_models(self) -> list[str]:
        if self.models:
            return self.models
        try:
            return list_models(self.backend_url, self.api_key)
        except BackendError:
            return []

    def models_choice(self):
        """The models dropdown: every model offered, the first two selected (an arena pair at once)."""
        names = self.backend_models()
        return gr.update(choices=names, value=names[:2])

    def cancel(self, request: gr.Request):
        with self._lock:
            cancel = self._cancels.get(request.session_hash or "")
        if cancel is not None:
            cancel.set()

    def generate(self, project_id, instruction, n, models, temperatures, session, request: gr.Request):
        """Stream n candidates into the boxes, then explain, rerank and store them. Yields
        (status, *texts, *highlights, *breakdowns, order, session) updates."""
        editor = _editor(request)
        pid = self._need_project(project_id)
        instruction = _limit(instruction, MAX_INSTRUCTION, "The instruction")
        n = max(1, min(MAX_CANDIDATES, int(n or 1)))
        settings = parse_settings(models, temperatures, n)
        project = self.store.get_project(pid)
        messages = build_messages(project, instruction)
        cancel = Cancel()
        key = request.session_hash or uuid.uuid4().hex
        with self._lock:
            self._cancels[key] = cancel
        keep = gr.update()
        blank = [keep] * MAX_CANDIDATES
        cols = [gr.update(visible=i < n) for i in range(MAX_CANDIDATES)]
        cleared = [gr.update(value="", visible=False)] * MAX_CANDIDATES
        texts: list[str] = [""] * n
        errors: list[str | None] = [None] * n
        started = False
        # at once: the last generation's highlights go, the status says what is happening
        yield ("Waiting for the backend… · 等待生成", *cols, *blank, *cleared, *cleared, keep, keep)
        try:
            for texts, errors in stream_candidates(  # noqa: B007 (the last update is read below)
                self.backend_url, messages, settings, cancel, api_key=self.api_key
            ):
                if any(texts):
                    boxes = [gr.update(value=t, visible=True) for t in texts]
                    boxes += [gr.update(value="", visible=False)] * (MAX_CANDIDATES - n)
                    started = True
                    yield ("Generating… · 生成中", *cols, *boxes, *blank, *blank, keep, keep)
        finally:
            with self._lock:
                self._cancels.pop(key, None)
        failed = [e for e in errors if e]
        rest = (*blank, *blank, *blank, *blank, keep, keep)
        if cancel.is_set():
            yield ("Cancelled: the partial text stays on screen and is not saved.", *rest)
            return
        if failed and not started:  # backend down: the message is the only change on the page
            gr.Warning(_esc(failed[0]))  # rendered as HTML by gradio
            yield (_esc(failed[0]), *rest)
            return
        good = [i for i in range(n) if texts[i].strip() and not errors[i]]
        if not good:
            yield (_esc(failed[0] if failed else "The backend returned no text."), *rest)
            return
        yield ("Scoring… · 评分中", *rest)
        terms = project.get("glossary") or []
        # stored (and exported for training): the prompt the model saw, world bible + earlier chapters +
        # instruction; scored: the world bible + instruction (quoted dialogue in earlier chapters is no term)
        prompt_text = messages[0]["content"] + "\n\n" + messages[1]["content"]
        scored_prompt = messages[0]["content"] + "\n" + instruction
        explained = {i: self._explain_safely(texts[i], terms, scored_prompt) for i in good}
        order = hl.rerank([explained[i] for i in good])
        rank_of = {good[j]: r for r, j in enumerate(order)}
        payload = [
            {
                "text": texts[i],
                "model": settings[i].model,
                "settings": settings[i].params,
                "rewards": explained[i].rewards(),
                "rank": rank_of[i],
            }
            for i in good
        ]
        try:
            ids = self.store.add_candidates(editor, pid, prompt_text, payload)
            with self._lock:
                self._pools.pop(pid, None)  # the arena and the edit list see the new candidates at once
        except ValueError as err:
            raise StudioError(str(err)) from err
        batch = [{"id": int(cid), "slot": i, "text": texts[i]} for i, cid in zip(good, ids, strict=True)]
        session = {**(session or {}), "batch": batch, "project_id": pid}
        boxes, highlights, breakdowns = [], [], []
        for i in range(MAX_CANDIDATES):
            if i in explained:  # the highlighted text replaces the plain one
                e = explained[i]
                boxes.append(gr.update(visible=False))
                head = f"<div class='cand-head'>{_candidate_label(i)}</div>"
                highlights.append(
                    gr.update(value=head + hl.render_html(e.text, e.spans, e.whole), visible=True)
                )
                breakdowns.append(gr.update(value=hl.breakdown_html(e, rank_of[i]), visible=True))
            else:
                boxes.append(keep)
                highlights.append(gr.update(value="", visible=False))
                breakdowns.append(gr.update(value="", visible=False))
        ranked = sorted(good, key=rank_of.get)
        order_text = ", ".join(str(i + 1) for i in ranked)
        note = f" ({len(failed)} failed: {_esc(failed[0])})" if failed else ""
        status = f"Done: {len(good)} candidates scored and saved{note}. Reranker order: {order_text}."
        yield (status, *cols, *boxes, *highlights, *breakdowns, gr.update(value=order_text), session)

    def _explain_safely(self, text: str, terms: list[str], prompt: str) -> hl.Explained:
        """The candidate explained; a scoring failure shows the plain text with the reason, never an error."""
        try:
            return self.explain(text, terms=terms, prompt=prompt)
        except Exception as err:  # a bug in one reward must not lose the editor's candidates
            return hl.Explained(
                text, "", {}, [], [f"Could not score this candidate: {type(err).__name__}: {err}"]
            )

    def save_ranking(self, order_text, session, request: gr.Request):
        editor = _editor(request)
        batch = (session or {}).get("batch") or []
        if not batch:
            raise StudioError("Generate candidates first.")
        by_slot = {e["slot"] + 1: e["id"] for e in batch}
        try:
            order = [
                int(x)
                for x in _limit(order_text, 200, "The order").replace("，", ",").split(",")
                if x.strip()
            ]
        except ValueError as err:
            raise StudioError("Write the order as candidate numbers, best first: 2, 1, 3") from err
        if sorted(order) != sorted(by_slot):
            raise StudioError(f"The order must list each of {sorted(by_slot)} once.")
        self.store.record_ranking(editor, [by_slot[k] for k in order])
        return f"Saved your ranking: {', '.join(map(str, order))}."

    def rate(self, slot, thumb, rating, session, request: gr.Request):
        editor = _editor(request)
        entry = self._batch_entry(session, slot)
        up = {THUMBS[0]: True, THUMBS[1]: False}.get(thumb)
        value = int(rating) if rating else None
        if up is None and value is None:
            raise StudioError("Choose a thumb or a rating.")
        self.store.record_rating(editor, entry["id"], thumb=up, rating=value)
        return f"Saved your rating of candidate {int(slot)}."

    def accept(self, slot, title, project_id, session, request: gr.Request):
        editor = _editor(request)
        pid = self._need_project(project_id)
        entry = self._batch_entry(session, slot)
        title = (
            _limit(title, MAX_NAME, "The title").strip()
            or f"Chapter {len(self.store.get_project(pid)['chapters']) + 1}"
        )
        self.store.add_chapter(editor, pid, title, entry["text"], source="model")
        return f"Added candidate {int(slot)} as chapter “{_esc(title)}”."

    @staticmethod
    def _batch_entry(session, slot) -> dict:
        for e in (session or {}).get("batch") or ():
            if e["slot"] + 1 == int(slot or 0):
                return e
        raise StudioError("Pick a candidate of the last generation.")

    # ---- compare -----------------------------------------------------------------------------------
    def versions(self, chapter_id):
        if chapter_id in (None, ""):
            return [], gr.update(choices=[], value=None), gr.update(choices=[], value=None), ""
        versions = self.store.list_versions(_id(chapter_id, "chapter"))
        rows = [
            [
                v["id"],
                v.get("source", ""),
                v.get("editor", ""),
                str(v.get("created_at", ""))[:19],
                len(v["text"]),
            ]
            for v in versions
        ]
        choices = [
            (f"v{k + 1} · {v.get('source', '')} · {v.get('editor', '')}", int(v["id"]))
            for k, v in enumerate(versions)
        ]
        a = choices[-2][1] if len(choices) > 1 else (choices[0][1] if choices else None)
        b = choices[-1][1] if choices else None
        latest = versions[-1]["text"] if versions else ""
        return rows, gr.update(choices=choices, value=a), gr.update(choices=choices, value=b), latest

    def compare(self, chapter_id, a_id, b_id):
        if chapter_id in (None, "") or a_id in (None, "") or b_id in (None, ""):
            raise StudioError("Pick a chapter and two versions.")
        versions = {
            int(v["id"]): (k, v) for k, v in enumerate(self.store.list_versions(_id(chapter_id, "chapter")))
        }
        a_id, b_id = _id(a_id, "version"), _id(b_id, "version")
        if a_id not in versions or b_id not in versions:
            raise StudioError("Pick two versions of this chapter.")
        (ka, va), (kb, vb) = versions[a_id], versions[b_id]
        return diffmod.side_by_side_html(
            va["text"],
            vb["text"],
            f"v{ka + 1} ({va.get('source', '')})",
            f"v{kb + 1} ({vb.get('source', '')})",
        )

    def save_version(self, chapter_id, text, request: gr.Request):
        editor = _editor(request)
        if chapter_id in (None, ""):
            raise StudioError("Pick a chapter.")
        text = _limit(text, MAX_TEXT, "The chapter text")
        versions = self.store.list_versions(_id(chapter_id, "chapter"))
        parent = versions[-1]["id"] if versions else None
        if versions and versions[-1]["text"] == text:
            raise StudioError("The text is unchanged.")
        self.store.add_version(editor, _id(chapter_id, "chapter"), text, "edit", parent_version_id=parent)
        return self.versions(chapter_id)

    # ---- arena -------------------------------------------------------------------------------------
    def _pool(self, project_id) -> list[dict]:
        """The project's latest ARENA_POOL candidates as {id, key (model + settings), label, head}, shared
        by all sessions for POOL_TTL seconds (dropped at once when this server stores new candidates)."""
        if project_id in (None, ""):
            return []
        pid = _id(project_id, "project")
        now = time.monotonic()
        with self._lock:
            hit = self._pools.get(pid)
            if hit is not None and now - hit[0] < POOL_TTL:
                return hit[1]
        pool = []
        for c in self.store.list_candidates(pid)[-ARENA_POOL:]:
            settings = dict(c.get("settings") or {})
            key = (c["model"], json.dumps(settings, sort_keys=True))
            label = Setting(c["model"], settings).label()
            pool.append({"id": int(c["id"]), "key": key, "label": label, "head": c["text"][:40]})
        with self._lock:
            self._pools[pid] = (now, pool)
        return pool

    def _pair(self, pool: list[dict], voted: set[tuple[int, int]]) -> tuple[dict, dict] | None:
        """A random pair from different models or settings that this session has not voted on."""
        ok = lambda a, b: a["key"] != b["key"] and (min(a["id"], b["id"]), max(a["id"], b["id"])) not in voted  # noqa: E731
        if len(pool) < 2:
            return None
        for _ in range(64):  # random draws first: O(1) on a large pool
            a, b = self.rng.sample(pool, 2)
            if ok(a, b):
                return a, b
        pairs = [(a, b) for i, a in enumerate(pool) for b in pool[i + 1 :] if ok(a, b)]
        return self.rng.choice(pairs) if pairs else None

    def new_battle(self, project_id, session):
        """Two candidates of the project from different models or settings, in random order, unnamed;
        pairs this session has voted on are not shown again."""
        session = dict(session or {})
        voted = {(min(p), max(p)) for p in session.get("voted", [])}
        pair = self._pair(self._pool(project_id), voted)
        if pair is None:
            session["battle"] = None
            msg = "No new pair: generate candidates with two or more models or temperatures first."
            return msg, "", "", gr.update(interactive=False), "", session
        a, b = pair if self.rng.random() < 0.5 else pair[::-1]
        session["battle"] = {
            "a": {"id": a["id"], "label": a["label"]},
            "b": {"id": b["id"], "label": b["label"]},
            "request_id": uuid.uuid4().hex,
            "done": False,
        }
        a_text, b_text = self.store.get_candidate(a["id"])["text"], self.store.get_candidate(b["id"])["text"]
        msg = "Which is better? Names are hidden until you vote. · 哪一篇更好？投票后揭晓模型。"
        return msg, a_text, b_text, gr.update(interactive=True), "", session

    def vote(self, outcome, session, request: gr.Request):
        editor = _editor(request)
        session = dict(session or {})
        battle = session.get("battle")
        if not battle:
            raise StudioError("Start a battle first.")
        if outcome not in OUTCOMES:
            raise StudioError("Choose A, B, Tie or Both bad.")
        a, b = battle["a"], battle["b"]
        self.store.record_vote(editor, a["id"], b["id"], OUTCOMES[outcome], request_id=battle["request_id"])
        if not battle["done"]:
            session["voted"] = [*session.get("voted", []), [a["id"], b["id"]]]
        session["battle"] = {**battle, "done": True}
        reveal = (
            f"<div class='studio-reveal'>You voted: {_esc(outcome)}. "
            f"A was <code>{_esc(a['label'])}</code>, B was <code>{_esc(b['label'])}</code>.</div>"
        )
        return "Vote saved.", reveal, gr.update(interactive=False), session

    def leaderboard(self, max_age: float = LEADERBOARD_TTL) -> list[list]:
        """The Bradley-Terry table, shared by all sessions and refit when older than ``max_age`` seconds
        (one fit at a time), so a burst of votes from many editors does not refit it once per vote."""
        with self._board_lock:
            if self._board is None or time.monotonic() - self._board[0] > max_age:
                rows = [
                    [
                        r["model"],
                        round(float(r["score"]), 1),
                        round(float(r["ci_low"]), 1),
                        round(float(r["ci_high"]), 1),
                        int(r["votes"]),
                    ]  # fmt: skip
                    for r in self.store.leaderboard()
                ]
                self._board = (time.monotonic(), rows)
            return self._board[1]

    def refresh_leaderboard(self) -> list[list]:
        """The table after a vote: refit unless a fit is under a second old."""
        return self.leaderboard(max_age=1.0)

    # ---- edit --------------------------------------------------------------------------------------
    def edit_choices(self, project_id, session):
        pool = self._pool(project_id)
        latest = {e["id"] for e in (session or {}).get("batch") or ()}
        choices = [(f"#{c['id']} · {c['head']}…", c["id"]) for c in reversed(pool)]
        value = next((cid for _, cid in choices if cid in latest), choices[0][1] if choices else None)
        return gr.update(choices=choices, value=value)

    def load_for_edit(self, candidate_id, session):
        if candidate_id in (None, ""):
            return "", "", session
        cand = self.store.get_candidate(_id(candidate_id, "candidate"))
        session = {**(session or {}), "edit_request": uuid.uuid4().hex}
        return cand["text"], "", session

    def save_edit(self, candidate_id, after, tags, note, session, request: gr.Request):
        editor = _editor(request)
        if candidate_id in (None, ""):
            raise StudioError("Pick a candidate to edit.")
        after = _limit(after, MAX_TEXT, "The edited text")
        note = _limit(note, MAX_NOTE, "The note")
        bad = [t for t in tags or () if t not in LAMP_CATEGORIES]
        if bad:
            raise StudioError(f"Unknown tag: {bad[0]}")
        before = self.store.get_candidate(_id(candidate_id, "candidate"))["text"]
        if after == before:
            raise StudioError("The text is unchanged.")
        session = dict(session or {})
        request_id = session.get("edit_request") or uuid.uuid4().hex
        try:
            self.store.record_edit(
                editor,
                _id(candidate_id, "candidate"),
                after,
                tags=list(tags or ()),
                note=note,
                request_id=request_id,
            )
        except ValueError as err:
            raise StudioError(str(err)) from err
        session["edit_request"] = uuid.uuid4().hex  # the next save is a new edit
        shown = diffmod.side_by_side_html(before, after, "before", "after")
        tagged = ", ".join(tags or ()) or "no tags"
        return f"Saved your edit ({_esc(tagged)}).", shown, session

    # ---- export ------------------------------------------------------------------------------------
    def export(self, fmt, request: gr.Request):
        _editor(request)
        if fmt not in ("dpo", "kto", "sft"):
            raise StudioError("Choose dpo, kto or sft.")
        rows = self.store.export(fmt)
        out = self.export_dir / f"scifi-editor-prefs-{fmt}-{uuid.uuid4().hex[:8]}.jsonl"
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        preview = json.dumps(rows[:3], ensure_ascii=False, indent=1)[:4000]
        return f"{len(rows)} {fmt} rows.", str(out), preview


def build_app(studio: Studio) -> gr.Blocks:
    """The gradio Blocks of the studio (not launched)."""
    with gr.Blocks(title="swift-scifi studio", analytics_enabled=False) as demo:
        session = gr.State({})
        with gr.Row():
            gr.Markdown("## swift-scifi studio · 科幻写作工作室")
            gr.HTML("<a href='/logout' id='logout'>Log out</a>")
        with gr.Tabs():
            with gr.Tab("Project · 项目", id="tab-project"):
                with gr.Row():
                    project = gr.Dropdown(
                        label="Project · 项目",
                        choices=[],
                        allow_custom_value=True,
                        elem_id="project",
                        scale=4,
                    )
                    refresh = gr.Button("↻", scale=0, min_width=40, elem_id="refresh-projects")
                chapters = gr.HTML(elem_id="chapters")
                with gr.Accordion("New project · 新建项目", open=True):
                    new_name = gr.Textbox(label="Name · 名称", max_length=MAX_NAME, elem_id="new-name")
                    new_setting = gr.Textbox(
                        label="Setting · 世界设定", lines=3, max_length=MAX_TEXT, elem_id="new-setting"
                    )
                    new_style = gr.Textbox(
                        label="Style notes · 风格要求", lines=2, max_length=MAX_TEXT, elem_id="new-style"
                    )
                    new_glossary = gr.Textbox(
                        label="Glossary, one term per line · 术语表（每行一个）",
                        lines=3,
                        elem_id="new-glossary",
                    )
                    upload = gr.File(
                        label="Import earlier chapters (.txt) · 导入已有章节",
                        file_types=[".txt"],
                        type="filepath",
                        elem_id="upload",
                    )
                    create = gr.Button("Create project · 创建", variant="primary", elem_id="create-project")
                    create_msg = gr.HTML(elem_id="create-msg")
                with gr.Accordion("World bible · 世界观", open=True):
                    setting = gr.Textbox(
                        label="Setting · 世界设定", lines=4, max_length=MAX_TEXT, elem_id="setting"
                    )
                    style = gr.Textbox(
                        label="Style notes · 风格要求", lines=2, max_length=MAX_TEXT, elem_id="style"
                    )
                    glossary = gr.Textbox(label="Glossary · 术语表", lines=4, elem_id="glossary")
                    save_bible = gr.Button("Save world bible · 保存", elem_id="save-bible")
                    bible_msg = gr.Markdown()
            with gr.Tab("Generate · 生成", id="tab-generate"):
                instruction = gr.Textbox(
                    label="Instruction for the next chapter · 下一章的要求",
                    lines=3,
                    max_length=MAX_INSTRUCTION,
                    elem_id="instruction",
                )
                with gr.Row():
                    n = gr.Slider(
                        1, MAX_CANDIDATES, value=2, step=1, label="Candidates · 候选数", elem_id="n"
                    )
                    models = gr.Dropdown(
                        label="Models · 模型",
                        choices=[],
                        multiselect=True,
                        allow_custom_value=True,
                        elem_id="models",
                    )
                    temps = gr.Textbox(
                        label="Temperatures · 温度", value="0.7, 1.0", max_length=100, elem_id="temps"
                    )
                with gr.Row():
                    gen = gr.Button("Generate · 生成", variant="primary", elem_id="generate")
                    stop = gr.Button("Cancel · 取消", variant="stop", elem_id="cancel")
                status = gr.HTML(elem_id="gen-status")
                columns, boxes, highlights, breakdowns = [], [], [], []
                with gr.Row():
                    for i in range(MAX_CANDIDATES):
                        with gr.Column(min_width=260, visible=i < 2) as column:
                            columns.append(column)
                            boxes.append(
                                gr.Textbox(
                                    label=_candidate_label(i),
                                    lines=8,
                                    max_lines=30,
                                    interactive=False,
                                    elem_id=f"cand-{i + 1}",
                                    elem_classes=["cand-text"],
                                )
                            )
                            highlights.append(gr.HTML(visible=False, elem_id=f"hl-{i + 1}"))
                            breakdowns.append(gr.HTML(visible=False, elem_id=f"bd-{i + 1}"))
                with gr.Row():
                    order = gr.Textbox(
                        label="Order, best first (reranker's; edit to reorder) · 排序",
                        max_length=200,
                        elem_id="order",
                    )
                    save_order = gr.Button("Save ranking · 保存排序", elem_id="save-order")
                with gr.Row():
                    slot = gr.Number(
                        label="Candidate № · 候选编号",
                        value=1,
                        precision=0,
                        minimum=1,
                        maximum=MAX_CANDIDATES,
                        elem_id="slot",
                    )
                    thumb = gr.Radio(list(THUMBS), label="Thumb · 好/差", elem_id="thumb")
                    rating = gr.Slider(0, 5, value=0, step=1, label="Rating (0 = none)", elem_id="rating")
                    rate = gr.Button("Rate · 评分", elem_id="rate")
                with gr.Row():
                    title = gr.Textbox(
                        label="Chapter title · 章节标题", max_length=MAX_NAME, elem_id="accept-title"
                    )
                    accept = gr.Button("Accept as next chapter · 采用为下一章", elem_id="accept")
                gen_msg = gr.Markdown(elem_id="gen-msg")
            with gr.Tab("Compare · 比较", id="tab-compare"):
                chapter = gr.Dropdown(
                    label="Chapter · 章节", choices=[], allow_custom_value=True, elem_id="chapter"
                )
                history = gr.Dataframe(
                    headers=["version id", "source", "editor", "created", "chars"],
                    interactive=False,
                    elem_id="history",
                )
                with gr.Row():
                    va = gr.Dropdown(
                        label="Left version · 左", choices=[], allow_custom_value=True, elem_id="va"
                    )
                    vb = gr.Dropdown(
                        label="Right version · 右", choices=[], allow_custom_value=True, elem_id="vb"
                    )
                    compare = gr.Button("Compare · 对比", elem_id="compare")
                diff_view = gr.HTML(elem_id="diff")
                chapter_text = gr.Textbox(
                    label="Edit the latest version · 修改最新版本",
                    lines=8,
                    max_length=MAX_TEXT,
                    elem_id="chapter-text",
                )
                save_version = gr.Button("Save as new version · 保存为新版本", elem_id="save-version")
            with gr.Tab("Arena · 盲评", id="tab-arena"):
                battle = gr.Button("New battle · 新一轮", variant="primary", elem_id="battle")
                arena_msg = gr.Markdown(elem_id="arena-msg")
                with gr.Row():
                    side_a = gr.Textbox(label="A", lines=10, interactive=False, elem_id="side-a")
                    side_b = gr.Textbox(label="B", lines=10, interactive=False, elem_id="side-b")
                with gr.Row() as vote_row:
                    outcome = gr.Radio(list(OUTCOMES), label="Your vote · 投票", elem_id="outcome")
                    vote = gr.Button("Vote · 提交", interactive=False, elem_id="vote")
                reveal = gr.HTML(elem_id="reveal")
                board = gr.Dataframe(
                    headers=["model", "score", "ci_low", "ci_high", "votes"],
                    interactive=False,
                    elem_id="leaderboard",
                )
            with gr.Tab("Edit · 编辑", id="tab-edit") as edit_tab:
                edit_pick = gr.Dropdown(
                    label="Candidate · 候选", choices=[], allow_custom_value=True, elem_id="edit-pick"
                )
                edit_text = gr.Textbox(
                    label="Text · 正文 (edit in place)", lines=10, max_length=MAX_TEXT, elem_id="edit-text"
                )
                tags = gr.CheckboxGroup(list(LAMP_CATEGORIES), label="LAMP tags · 修改类别", elem_id="tags")
                note = gr.Textbox(label="Note · 备注", max_length=MAX_NOTE, elem_id="note")
                save_edit = gr.Button("Save edit · 保存修改", variant="primary", elem_id="save-edit")
                edit_msg = gr.Markdown(elem_id="edit-msg")
                edit_diff = gr.HTML(elem_id="edit-diff")
            with gr.Tab("Export · 导出", id="tab-export"):
                fmt = gr.Radio(["dpo", "kto", "sft"], value="dpo", label="Format · 格式", elem_id="fmt")
                export = gr.Button("Export · 导出", elem_id="export")
                export_msg = gr.Markdown(elem_id="export-msg")
                export_file = gr.File(label="JSONL", interactive=False, elem_id="export-file")
                export_preview = gr.Code(language="json", label="First rows", elem_id="export-preview")

        # quick events skip the queue (queue=False): a plain POST each, run in the server's thread pool;
        # only generation (a stream), project creation (glossary extraction) and export are queued
        demo.load(studio.refresh_projects, None, project, queue=False)
        demo.load(studio.models_choice, None, models)
        demo.load(studio.leaderboard, None, board, queue=False)
        refresh.click(studio.refresh_projects, None, project, api_name="projects", queue=False)
        project.change(
            studio.load_project,
            project,
            [setting, style, glossary, chapters, chapter],
            api_name="load_project",
            queue=False,
        )
        create.click(
            studio.create_project,
            [new_name, new_setting, new_style, new_glossary, upload],
            [project, create_msg, new_name, new_setting, new_style, new_glossary, upload],
            api_name="create_project",
        )
        save_bible.click(
            studio.save_bible,
            [project, setting, style, glossary],
            bible_msg,
            api_name="save_bible",
            queue=False,
        )
        gen.click(
            studio.generate,
            [project, instruction, n, models, temps, session],
            [status, *columns, *boxes, *highlights, *breakdowns, order, session],
            api_name="generate",
        )
        # no output: the generation itself reports "Cancelled" (a reply of this click could land after it)
        stop.click(studio.cancel, None, None, api_name="cancel", queue=False)
        save_order.click(studio.save_ranking, [order, session], gen_msg, api_name="rank", queue=False)
        rate.click(studio.rate, [slot, thumb, rating, session], gen_msg, api_name="rate", queue=False)
        accept.click(
            studio.accept, [slot, title, project, session], gen_msg, api_name="accept", queue=False
        ).then(studio.load_project, project, [setting, style, glossary, chapters, chapter], queue=False)
        chapter.change(
            studio.versions, chapter, [history, va, vb, chapter_text], api_name="versions", queue=False
        )
        compare.click(studio.compare, [chapter, va, vb], diff_view, api_name="compare", queue=False)
        save_version.click(
            studio.save_version,
            [chapter, chapter_text],
            [history, va, vb, chapter_text],
            api_name="save_version",
            queue=False,
        )
        battle.click(
            studio.new_battle,
            [project, session],
            [arena_msg, side_a, side_b, vote, reveal, session],
            api_name="battle",
            queue=False,
        )
        vote.click(
            studio.vote, [outcome, session], [arena_msg, reveal, vote, session], api_name="vote", queue=False
        ).success(studio.refresh_leaderboard, None, board, queue=False)
        edit_tab.select(studio.edit_choices, [project, session], edit_pick, queue=False)
        edit_pick.change(
            studio.load_for_edit,
            [edit_pick, session],
            [edit_text, edit_diff, session],
            api_name="load_edit",
            queue=False,
        )
        save_edit.click(
            studio.save_edit,
            [edit_pick, edit_text, tags, note, session],
            [edit_msg, edit_diff, session],
            api_name="edit",
            queue=False,
        )
        export.click(studio.export, fmt, [export_msg, export_file, export_preview], api_name="export")
        del vote_row
    return demo


def launch(studio: Studio, host: str = "127.0.0.1", port: int = 7860, *, block: bool = True):
    """Build, queue and serve the app (login required); returns the Blocks when ``block`` is False."""
    demo = build_app(studio)
    demo.queue(default_concurrency_limit=64, max_size=512)
    demo.launch(
        server_name=host,
        server_port=port,
        auth=studio.authenticate,
        auth_message="swift-scifi studio: log in with your editor account (or any name and the shared token).",
        max_file_size=MAX_UPLOAD,
        css=CSS,
        prevent_thread_lock=not block,
        quiet=True,
        show_error=True,
        ssr_mode=False,
        footer_links=[],
    )
    return demo


def warm_up() -> None:
    """Load the reward data and kernels for both languages once (10-30 s), so the first editor does not wait:
    one explanation of a zh and an en passage of the bundled corpus sample, with zh and en glossary terms."""
    from swift_scifi.datasets.corpus import read_corpus, sample_corpus_path

    books = {b.lang: b.text for b in read_corpus(sample_corpus_path())}
    terms = ["Elara", "Tian Gong", "章北海", "曲率引擎"]
    for text in books.values():
        hl.explain_candidate(text[5000:8000], terms=terms, prompt="World bible.")
