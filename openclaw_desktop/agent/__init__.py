"""The agent runtime: the tool-use turn loop, sessions and transcripts, tools, memory.

The model is reached only through the ``llm.port.LanguageModel`` protocol; the one real
adapter (``llm.anthropic_adapter``) is the only module that imports ``anthropic``.
"""
