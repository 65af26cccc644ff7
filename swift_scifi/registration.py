"""Register every swift-scifi component with ms-swift's registries. Safe to call many times."""

from __future__ import annotations

import logging

logger = logging.getLogger("swift_scifi")

_registered = False


def register() -> None:
    """Register the scifi-* datasets, the rule rewards and the judge rewards with ms-swift (idempotent).

    Imports ms-swift, so call it only where ms-swift is installed; ``import swift_scifi`` alone
    does not import ms-swift or torch.
    """
    global _registered
    if _registered:
        return
    from .datasets.registry import register_datasets
    from .judge.rewards import register_judge_rewards
    from .rewards.ms_swift import register_rewards

    register_datasets()
    register_rewards()
    register_judge_rewards()
    _registered = True
