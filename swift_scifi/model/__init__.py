"""Model helpers: the offline tiny Qwen3 used by tests, examples and the CPU quickstart."""
