"""Agent tools: each is a ToolSpec (name, description, JSON schema) plus an async run.

Input is validated against the schema before a tool runs; every failure (bad input,
refused path, tool error) goes back to the model as an error tool result, never as an
exception out of the turn loop.
"""
