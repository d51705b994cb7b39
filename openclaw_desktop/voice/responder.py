"""The voice pipeline's :class:`~openclaw_desktop.voice.ports.Responder` over a GatewayLink.

``reply(text)`` sends ``chat.send`` to the voice session (``main``) with a fresh
idempotency key, then folds that run's ``chat`` events into text deltas: ``delta`` events
carry the whole text so far (``deltaText``), so only the new suffix is yielded; ``final``
ends the reply; ``error`` and ``aborted`` raise :class:`ReplyError` with a stable code.
Leaving the iteration early (barge-in cancels the consuming task, or the consumer closes
it) sends ``chat.abort`` for the run in the background, so the agent stops writing and the
model stream is closed.

The link is anything with GatewayLink's ``call`` and ``add_event_listener`` (the hosted
gateway or a remote one). Must not import Qt or any engine library.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from openclaw_desktop.voice.events import ErrorCode

log = logging.getLogger(__name__)


class ChatLink(Protocol):
    """The part of ``remote.link.GatewayLink`` the responder uses."""

    async def call(self, method: str, params: dict[str, Any] | None = None, *, expect_final: bool = False,
                   timeout_s: float = 30.0) -> Any: ...

    def add_event_listener(self, cb: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]: ...


class ReplyError(Exception):
    """The reply failed; ``code`` is :class:`ErrorCode` (the message is for people)."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


class GatewayResponder:
    """Streams agent replies for voice commands; see the module docstring."""

    def __init__(self, link: ChatLink, session_key: str = "main", *, idle_timeout_s: float = 180.0,
                 new_id: Callable[[], str] = lambda: f"voice-{uuid.uuid4()}") -> None:
        self.link = link
        self.session_key = session_key
        self.idle_timeout_s = idle_timeout_s
        """Give up when the run sends nothing for this long (tools may be slow)."""
        self._new_id = new_id
        self._aborts: set[asyncio.Task[None]] = set()

    async def reply(self, text: str) -> AsyncIterator[str]:
        """Yield the reply to ``text`` as it streams; see the module docstring."""
        run_id = self._new_id()
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        def on_event(event: str, payload: dict[str, Any]) -> None:
            if event == "chat" and payload.get("runId") == run_id:
                inbox.put_nowait(payload)

        # Listen before sending: the first deltas can arrive before chat.send returns.
        remove = self.link.add_event_listener(on_event)
        finished = False
        try:
            try:
                await self.link.call("chat.send", {"sessionKey": self.session_key, "message": text,
                                                   "idempotencyKey": run_id})
            except ConnectionError as exc:  # LinkDown is a ConnectionError
                finished = True  # nothing was started, nothing to abort
                raise ReplyError(ErrorCode.GATEWAY_UNAVAILABLE, str(exc)) from None
            except (OSError, TimeoutError) as exc:
                raise ReplyError(ErrorCode.GATEWAY_UNAVAILABLE, f"chat.send failed: {exc}") from None
            except Exception as exc:  # noqa: BLE001 - RpcError: the gateway refused the message
                finished = True
                raise ReplyError(ErrorCode.REPLY_FAILED, f"chat.send failed: {exc}") from None
            said = ""
            while True:
                try:
                    async with asyncio.timeout(self.idle_timeout_s):
                        payload = await inbox.get()
                except TimeoutError:
                    raise ReplyError(ErrorCode.REPLY_FAILED,
                                     f"no reply for {self.idle_timeout_s:.0f} s") from None
                state = payload.get("state")
                if state in ("delta", "final"):
                    full = _text_of(payload, state)
                    if full is not None and full.startswith(said) and len(full) > len(said):
                        new, said = full[len(said):], full
                        yield new
                    if state == "final":
                        finished = True
                        return
                elif state in ("error", "aborted"):
                    finished = True
                    message = payload.get("errorMessage") or f"the reply was {state}"
                    raise ReplyError(ErrorCode.REPLY_FAILED, str(message))
        finally:
            remove()
            if not finished:
                self._abort_later(run_id)

    def _abort_later(self, run_id: str) -> None:
        # In the background: the caller is being cancelled (barge-in) and must not wait
        # for a round trip; the task is kept so it is not garbage-collected mid-call.
        task = asyncio.get_running_loop().create_task(self._abort(run_id), name=f"voice abort {run_id}")
        self._aborts.add(task)
        task.add_done_callback(self._aborts.discard)

    async def _abort(self, run_id: str) -> None:
        try:
            await self.link.call("chat.abort", {"sessionKey": self.session_key, "runId": run_id}, timeout_s=5.0)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the link is down: nothing more we can do from here
            log.info("chat.abort for %s failed: %s", run_id, exc)

    async def aclose(self) -> None:
        """Wait for pending aborts (shutdown)."""
        if self._aborts:
            await asyncio.gather(*self._aborts, return_exceptions=True)


def _text_of(payload: dict[str, Any], state: str) -> str | None:
    if state == "delta" and isinstance(payload.get("deltaText"), str):
        return payload["deltaText"]
    message = payload.get("message")
    if not isinstance(message, dict):
        return None
    blocks = message.get("content")
    if isinstance(blocks, str):
        return blocks
    if not isinstance(blocks, list):
        return None
    return "".join(b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text")
