"""A real TRL ``GRPOTrainer`` (2 steps, tiny model, CPU) with the ``swift_scifi.integrations.trl`` reward
functions: prompts and completions as strings and as message lists, ``terms``/``target_length``/``lang`` read
from the dataset columns, every reward logged by TRL under its function name."""

from __future__ import annotations

import math

import pytest

from swift_scifi.integrations import trl as scifi_trl
from swift_scifi.rewards import score_text
from swift_scifi.rewards.inputs import completion_text

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SYSTEM = "你是科幻小说家。已确立的名词：《曲率引擎》。"
USER = "写一段约 40 字的场景。"


def _rows(conversational: bool) -> list[dict]:
    prompt = (
        [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}]
        if conversational
        else f"{SYSTEM}\n{USER}"
    )
    return [{"prompt": prompt, "terms": ["星港"], "target_length": 40, "lang": "zh"} for _ in range(4)]


class Spy:
    """Wraps a reward function under its own name and records what TRL passed and what it got back."""

    def __init__(self, fn):
        self.fn, self.calls = fn, []
        self.__name__ = fn.__name__

    def __call__(self, prompts=None, completions=None, **columns):
        out = self.fn(prompts=prompts, completions=completions, **columns)
        self.calls.append((prompts, completions, columns, out))
        return out


@pytest.mark.parametrize("conversational", [False, True], ids=["standard", "conversational"])
def test_grpo_trainer_two_steps_with_scifi_rewards(tiny_model, tmp_path, conversational):
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    tok.chat_template = CHAT_TEMPLATE
    spies = [Spy(f) for f in scifi_trl.reward_funcs("writing", "term_consistency", "length", "slop")]
    args = GRPOConfig(
        output_dir=str(tmp_path / "out"),
        use_cpu=True,
        per_device_train_batch_size=4,
        num_generations=2,
        max_completion_length=12,
        max_steps=2,
        logging_steps=1,
        learning_rate=1e-4,
        report_to="none",
        save_strategy="no",
        bf16=False,
        dataloader_num_workers=0,
        seed=0,
    )
    trainer = GRPOTrainer(
        model=AutoModelForCausalLM.from_pretrained(tiny_model),
        reward_funcs=spies,
        args=args,
        train_dataset=Dataset.from_list(_rows(conversational)),
        processing_class=tok,
    )
    trainer.train()

    logged = [h for h in trainer.state.log_history if "rewards/scifi_writing/mean" in h]
    assert len(logged) == 2  # one log row per step, each with every reward under its function name
    for row in logged:
        for spy in spies:
            assert math.isfinite(row[f"rewards/{spy.__name__}/mean"])

    for spy in spies:
        assert len(spy.calls) >= 2
        prompts, completions, columns, out = spy.calls[-1]
        assert isinstance(completions[0], list if conversational else str)  # TRL's own shapes reached us
        assert columns["terms"][0] == ["星港"] and columns["target_length"][0] == 40
        assert all(v is not None and 0.0 <= v <= 1.0 for v in out)  # terms and target were read: no None
        key = spy.__name__.removeprefix("scifi_")
        for prompt, completion, got in zip(prompts, completions, out, strict=True):
            want = score_text(
                completion_text(completion), terms=["星港"], target_length=40, lang="zh", prompt=prompt
            )
            assert got == pytest.approx(want[key])
