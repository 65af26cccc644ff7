"""A scripted OpenAI-compatible streaming backend for the studio tests (real HTTP + SSE, fixed texts).

The text depends on the request: Chinese when the prompt holds Chinese, else English; each text plants a
term near miss, a slop phrase and a principle violation, and the English one a ``<script>`` tag (it must
show as text). A prompt containing ``SLOW`` streams one piece per 0.2 s (for cancel tests); model
``broken`` answers 500.
"""

from __future__ import annotations

import asyncio
import json
import re

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, StreamingResponse

EN_TEXT = (
    "Captain Elera Voss watched the rings of Tian Gong turn below. A testament to human stubbornness, the "
    "station had outlived three governments. <script>alert('x')</script> She checked the reactor log, "
    "tapped the glass twice and went down to the hangar, where the cargo drones waited in their cradles.\n\n"
    "The night shift was quiet. Somewhere a pump hummed. It was all a dream."
)
ZH_TEXT = (
    "张北海站在舰桥上，看着舷窗外缓缓旋转的星环。他的眼中闪烁着坚定的光芒。"
    "曲律引擎低沉地轰鸣，整艘飞船在黑暗中微微颤动。\n\n"
    "值班的士兵向他敬礼，他点了点头，走向货舱，检查那些静静躺在托架上的无人机。"
    "原来这一切只是一场梦。"
)


def script_for(body: dict) -> str:
    """The scripted completion for a request body: zh when the messages hold Chinese; the model name and
    temperature tag the first line so candidates differ."""
    text = json.dumps(body.get("messages", []), ensure_ascii=False)
    zh = bool(re.search(r"[\u4e00-\u9fff]{4}", text))
    base = ZH_TEXT if zh else EN_TEXT
    variant = f"{body.get('model')}-{body.get('temperature')}"
    if zh:
        return base if variant.endswith("0.7") else base.replace("缓缓旋转的", "静静旋转的")
    return base if variant.endswith("0.7") else base.replace("watched", "studied")


def _chunks(text: str) -> list[str]:
    return (
        re.findall(r"\S+\s*|\s+", text)
        if not re.search(r"[\u4e00-\u9fff]", text)
        else re.findall(r".{1,4}", text, re.S)
    )


def scripted_backend(calls: list[dict] | None = None, delay: float = 0.005) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/models")
    async def models():
        return {
            "object": "list",
            "data": [{"id": "writer-a", "object": "model"}, {"id": "writer-b", "object": "model"}],
        }

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        body = await request.json()
        if calls is not None:
            calls.append(body)
        if body.get("model") == "broken":
            return PlainTextResponse("CUDA out of memory", status_code=500)
        text = script_for(body)
        pause = 0.2 if "SLOW" in json.dumps(body.get("messages", [])) else delay

        async def events():
            for piece in _chunks(text):
                chunk = {"id": "c", "object": "chat.completion.chunk", "model": body.get("model"),
                         "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}  # fmt: skip
                yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()
                await asyncio.sleep(pause)
            yield b"data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app
