"""Register every swift-scifi component with ms-swift's registries. Safe to call many times."""

from __future__ import annotations

import logging

logger = logging.getLogger("swift_scifi")

_registered = False


def register() -> None:
    """Register the scifi-* datasets and the scifi_* rewards with ms-swift (idempotent).

    Imports ms-swift, so call it only where ms-swift is installed; ``import swift_scifi`` alone
    does not import ms-swift or torch.
    """
    global _registered
    if _registered:
        return
    from .datasets.registry import register_datasets
    from .rewards.ms_swift import register_rewards

    register_datasets()
    register_rewards()
    from .judge.rewards import register_judge_rewards

    register_judge_rewards()
    _registered = True
