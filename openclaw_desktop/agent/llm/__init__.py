"""Model access: the LanguageModel port, its typed stream events, and adapters."""
