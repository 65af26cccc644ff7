"""Data synthesis: rule-made and (later) teacher-made training data."""
