"""Tool plumbing: the Tool record, schema validation and the registry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import jsonschema

from ..llm.port import ToolSpec


class ToolError(Exception):
    """A tool failed in a way the model should read (bad path, not found, …)."""


@dataclass(frozen=True)
class ToolContext:
    """Per-call facts a tool may need (who is asking, where)."""

    agent_id: str
    session_key: str
    run_id: str


@dataclass(frozen=True)
class ToolImage:
    """An image a tool returns to the model (e.g. a phone camera snap)."""

    mime_type: str
    data_base64: str


@dataclass(frozen=True)
class ToolResult:
    text: str
    is_error: bool = False
    images: tuple[ToolImage, ...] = ()


class ToolOutput(str):
    """A tool's text plus images (a ``str`` so plain tools keep returning strings)."""

    images: tuple[ToolImage, ...] = ()

    @staticmethod
    def with_images(text: str, images: tuple[ToolImage, ...]) -> ToolOutput:
        out = ToolOutput(text)
        out.images = images
        return out


@dataclass(frozen=True)
class Tool:
    spec: ToolSpec
    run: Callable[[dict[str, Any], ToolContext], Awaitable[str]]


class ToolRegistry:
    """The tools offered to the model, by name."""

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        for tool in tools:
            self.add(tool)

    def add(self, tool: Tool) -> None:
        cls = jsonschema.validators.validator_for(tool.spec.input_schema)
        cls.check_schema(tool.spec.input_schema)
        self._tools[tool.spec.name] = tool
        self._validators[tool.spec.name] = cls(tool.spec.input_schema)

    def specs(self) -> list[ToolSpec]:
        return [t.spec for t in self._tools.values()]

    async def call(self, name: str, args: Any, ctx: ToolContext) -> ToolResult:
        """Validate and run; every failure becomes an error result for the model."""
        tool = self._tools.get(name)
        if tool is None:
            return ToolResult(f"unknown tool: {name}", True)
        errors = sorted(self._validators[name].iter_errors(args), key=lambda e: list(e.path))
        if errors:
            where = "/".join(str(p) for p in errors[0].path) or "input"
            return ToolResult(f"invalid input for {name}: {where}: {errors[0].message}", True)
        try:
            output = await tool.run(args, ctx)
            return ToolResult(str(output), False, getattr(output, "images", ()))
        except ToolError as exc:
            return ToolResult(str(exc), True)
        except (OSError, ValueError, UnicodeError) as exc:
            return ToolResult(f"{name} failed: {exc}", True)
