"""Tests of the LanguageModel port, its Anthropic adapter and credentials."""
