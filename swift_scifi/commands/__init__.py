"""Subcommands of ``swift-scifi``: one module per topic, each with ``register(app)``."""
