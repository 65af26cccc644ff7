"""Thin adapters from the pure scorers (:mod:`swift_scifi.rewards`) to the trainers and samplers that call
them: ms-swift GRPO and ``swift sample`` (:mod:`.ms_swift`), TRL (:mod:`.trl`) and verl (:mod:`.verl`).

Every adapter reads its inputs through the one normaliser (:mod:`swift_scifi.rewards.inputs`) and scores
through the reward registry (:mod:`swift_scifi.rewards.registry`). Importing this package imports neither
ms-swift, TRL nor verl; each submodule imports only what it adapts to.
"""
