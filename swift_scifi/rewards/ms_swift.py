"""Old import path of the ms-swift ORM adapters, which live in :mod:`swift_scifi.integrations.ms_swift`."""

from __future__ import annotations

from ..integrations.ms_swift import REWARD_CLASSES, ScifiReward, register_rewards
from ..integrations.ms_swift import REWARD_CLASSES as REWARDS

globals().update({cls.__name__: cls for cls in REWARD_CLASSES.values()})

__all__ = ["REWARDS", "REWARD_CLASSES", "ScifiReward", "register_rewards"]
