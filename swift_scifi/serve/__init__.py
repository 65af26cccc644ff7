"""Best-of-n serving: an OpenAI-compatible endpoint that asks a backend for n candidates and returns them
ranked by the reward scorers. The app lives in :mod:`swift_scifi.serve.app` (FastAPI, imported on use);
the Python API in :mod:`swift_scifi.serve.api`. This package imports neither fastapi nor httpx.
"""
