"""Test-only ms-swift plugin: around every colocated weight sync, record what the vLLM rollout engine
generates (greedy, with logprobs) for one fixed prompt before and after the sync, and the trainer model's
own logprobs of the tokens vLLM generated after it. Appends one JSON line per sync to $SCIFI_SYNC_PROBE.

Also registers ``probe_vary``, a reward that differs between completions (a hash of the text). On the
random-weight tiny model every scifi_* reward gives the same score to every gibberish completion of a group,
so GRPO's advantages, and with them the gradient, would be zero and the weights would never change."""

import json
import os
import zlib

import torch
from swift.infer_engine import InferRequest, RequestConfig
from swift.rewards import ORM, orms
from swift.rlhf_trainers import rollout_mixin


class ProbeVary(ORM):
    """A score in [0, 1) that differs between different completions (no meaning beyond that)."""

    def __call__(self, completions, **kwargs):
        return [(zlib.crc32(str(c).encode("utf-8")) % 1000) / 1000 for c in completions]


orms["probe_vary"] = ProbeVary

PROMPT = [{"role": "user", "content": "Write about Mars."}]
_original = rollout_mixin.RolloutTrainerMixin._move_model_to_vllm


def _vllm_probe(trainer) -> dict:
    config = RequestConfig(max_tokens=8, temperature=0.0, logprobs=True, return_details=True)
    out = trainer.engine.infer([InferRequest(messages=PROMPT)], config, use_tqdm=False)[0].response
    choice = out.choices[0]
    return {
        "prompt_ids": list(out.prompt_token_ids),
        "ids": list(choice.token_ids),
        "logprobs": [item["logprob"] for item in choice.logprobs["content"]],
        "text": choice.message.content,
    }


@torch.no_grad()
def _trainer_logprobs(trainer, prompt_ids: list[int], ids: list[int]) -> list[float]:
    model = trainer.accelerator.unwrap_model(trainer.model)
    was_training = model.training
    model.eval()
    full = torch.tensor([prompt_ids + ids], device=trainer.accelerator.device)
    logits = model(input_ids=full).logits[0, len(prompt_ids) - 1 : -1].float()
    model.train(was_training)
    return torch.log_softmax(logits, -1).gather(-1, torch.tensor(ids)[:, None])[:, 0].tolist()


def _move_model_to_vllm(self, *args, **kwargs):
    before = _vllm_probe(self)
    result = _original(self, *args, **kwargs)
    after = _vllm_probe(self)
    record = {
        "step": int(self.state.global_step),
        "before": before,
        "after": after,
        "trainer_logprobs_of_after": _trainer_logprobs(self, after["prompt_ids"], after["ids"]),
    }
    with open(os.environ["SCIFI_SYNC_PROBE"], "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    return result


rollout_mixin.RolloutTrainerMixin._move_model_to_vllm = _move_model_to_vllm
