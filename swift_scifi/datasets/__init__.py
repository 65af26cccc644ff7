"""Dataset builders (corpus -> samples) and their ms-swift registration.

Builders are plain generators of dict rows; :mod:`swift_scifi.datasets.registry` adapts them to
ms-swift's ``register_dataset`` so they work as ``--dataset scifi-*``.
"""
