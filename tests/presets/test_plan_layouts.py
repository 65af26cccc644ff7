"""Property tests of the layout enumerator: every layout it returns is valid, and it misses none."""

from hypothesis import given, settings
from hypothesis import strategies as st

from swift_scifi.presets.layouts import (
    Cluster,
    Layout,
    enumerate_layouts,
    pipeline_split,
    split_problem,
    violations,
)
from swift_scifi.presets.memory import estimate_megatron
from swift_scifi.presets.model_config import ModelSpec


@st.composite
def models(draw) -> ModelSpec:
    kv = draw(st.sampled_from([1, 2, 4, 8, 16]))
    heads = kv * draw(st.sampled_from([1, 2, 3, 4, 8]))
    moe = draw(st.booleans())
    experts = draw(st.sampled_from([4, 6, 8, 16, 60, 64, 128])) if moe else 0
    layers = draw(st.integers(1, 96))
    return ModelSpec(
        "m",
        layers=layers,
        hidden=heads * 64,
        heads=heads,
        kv_heads=kv,
        head_dim=64,
        ffn=heads * 64 * 3,
        vocab=32000,
        experts=experts,
        experts_per_token=2 if moe else 0,
        moe_ffn=256 if moe else 0,
        moe_layers=layers if moe else 0,
    )


clusters = st.builds(Cluster, st.integers(1, 16), st.integers(1, 4))
seq_lens = st.sampled_from([1, 511, 1024, 3000, 4096, 6144, 8192, 32768])
batches = st.sampled_from([1, 4, 16, 48, 64, 256])
methods = st.sampled_from(["full", "lora", "qlora"])


def _is_valid(spec, cluster, tp, pp, cp, ep, seq_len, batch, method) -> bool:
    """Independent statement of the constraints in issue 5 (the oracle)."""
    world = cluster.world
    if world % (tp * pp * cp):
        return False
    dp = world // (tp * pp * cp)
    return (
        spec.heads % tp == 0
        and spec.kv_heads % tp == 0
        and cluster.gpus_per_node % tp == 0
        and pp <= spec.layers
        and (cp == 1 or seq_len % (2 * cp) == 0)
        and (ep == 1 or (spec.experts > 0 and spec.experts % ep == 0))
        and (tp * dp * cp) % ep == 0  # MoE parallel folding, ETP 1: EP may span TP
        and batch % dp == 0
        and (method != "qlora" or tp * pp * cp * ep == 1)
    )


@settings(max_examples=150, deadline=None)
@given(models(), clusters, seq_lens, batches, methods)
def test_every_layout_satisfies_the_constraints(spec, cluster, seq_len, batch, method):
    valid, _ = enumerate_layouts(spec, cluster, seq_len, method, batch)
    for lay in valid:
        assert lay.tp * lay.pp * lay.cp * lay.dp == cluster.world
        assert spec.heads % lay.tp == 0 and spec.kv_heads % lay.tp == 0
        assert lay.tp <= cluster.gpus_per_node and cluster.gpus_per_node % lay.tp == 0
        assert lay.cp == 1 or seq_len % (2 * lay.cp) == 0
        assert lay.ep == 1 or spec.experts % lay.ep == 0
        assert (lay.tp * lay.dp * lay.cp) % (lay.ep * lay.etp) == 0
        assert batch % lay.dp == 0
        stages = lay.stage_layers(spec.layers)
        assert len(stages) == lay.pp and sum(stages) == spec.layers and min(stages) >= 1
        assert lay.sequence_parallel == (lay.tp > 1)
        assert violations(spec, cluster, lay, seq_len, batch, method) == []


@settings(max_examples=60, deadline=None)
@given(models(), st.builds(Cluster, st.integers(1, 8), st.integers(1, 2)), seq_lens, batches, methods)
def test_enumerator_finds_exactly_the_oracle_layouts(spec, cluster, seq_len, batch, method):
    valid, rejected = enumerate_layouts(spec, cluster, seq_len, method, batch)
    got = {(lay.tp, lay.pp, lay.cp, lay.ep) for lay in valid}
    rng = range(1, cluster.world + 1)
    want = {
        (tp, pp, cp, ep)
        for tp in rng
        for pp in rng
        for cp in rng
        for ep in rng
        if _is_valid(spec, cluster, tp, pp, cp, ep, seq_len, batch, method)
    }
    assert got == want
    assert len(got) == len(valid)  # no duplicates
    if not valid:
        assert sum(rejected.values()) > 0


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 200), st.integers(1, 64))
def test_uneven_pipeline_split_covers_every_layer(layers, pp):
    ok, first, last = pipeline_split(layers, pp)
    assert ok == (pp <= layers)
    if ok:
        lay = Layout(1, pp, 1, 1, 1, last, first)
        assert split_problem(layers, lay) is None
        stages = lay.stage_layers(layers)
        assert len(stages) == pp and sum(stages) == layers and min(stages) >= 1
        assert len(set(stages[1:-1])) <= 1  # Megatron: the middle stages are even
        # optimal: no Megatron-expressible split (first, middle k each, last) has a smaller largest stage
        splits = [
            (f, k, layers - f - k * (pp - 2))
            for k in range(1, layers + 1)
            for f in range(1, layers + 1)
            if pp > 2 and layers - f - k * (pp - 2) >= 1
        ]
        splits += [(f, 0, layers - f) for f in range(1, layers)] if pp == 2 else []
        assert max(stages) == min((max(sp) for sp in splits), default=max(stages))
        assert stages[-1] <= stages[0]  # the last stage, with the output layer, gets the smaller share
        assert (last is None and first is None) == (layers % pp == 0)


@settings(max_examples=60, deadline=None)
@given(models(), st.sampled_from([1024, 2048, 4096]), st.sampled_from(["full", "lora"]))
def test_memory_grows_with_sequence_and_shrinks_with_data_parallel(spec, seq_len, method):
    one = Layout(1, 1, 1, 1, 1)
    assert (
        estimate_megatron(spec, one, 2 * seq_len, method).total
        > estimate_megatron(spec, one, seq_len, method).total
    )
    if method == "full":  # the distributed optimizer shards states over DP
        wide = Layout(1, 1, 1, 1, 8)
        assert (
            estimate_megatron(spec, wide, seq_len, method, 16).optimizer
            < estimate_megatron(spec, one, seq_len, method, 16).optimizer
        )


@settings(max_examples=60, deadline=None)
@given(
    models(),
    st.builds(Cluster, st.sampled_from([1, 2, 4, 8]), st.integers(1, 2)),
    st.sampled_from([1024, 4096]),
    st.sampled_from([None, "none", "full"]),
    st.integers(1, 4),
)
def test_every_valid_layout_has_a_finite_ordered_estimate(spec, cluster, seq_len, recompute, mb):
    """Every enumerated layout (EP folded into TP·CP·DP) gets a positive estimate; full recompute never needs
    more than none when each stage holds two layers or more; the parts add up to the total."""
    valid, _ = enumerate_layouts(spec, cluster, seq_len, "full", 64, mb)
    for lay in valid[:20]:
        est = estimate_megatron(spec, lay, seq_len, "full", 64, micro_batch=mb, recompute=recompute)
        assert 0 < est.total < float("inf")
        parts = est.live + est.allocator + est.overhead
        assert abs(parts - est.total) < 1e-9
        full = estimate_megatron(spec, lay, seq_len, "full", 64, micro_batch=mb, recompute="full")
        none = estimate_megatron(spec, lay, seq_len, "full", 64, micro_batch=mb, recompute="none")
        if min(lay.stage_layers(spec.layers)) >= 2:  # one layer: its checkpoint is an extra copy
            assert full.total <= none.total + 1e-9
        if spec.is_moe and lay.ep > 1:
            assert est.moe_buffers > 0
