"""Proof of effect: pretrain a micro writer, SFT it, run GRPO / DPO / control arms and compare on held-out books.

Entry point: ``swift-scifi experiment run CONFIG`` (:mod:`swift_scifi.experiment.pipeline`); configs are data
in ``swift_scifi/data/experiments/`` (smoke, cpu, gpu).
"""
