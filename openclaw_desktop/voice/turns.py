"""One voice turn: transcript → command → agent reply spoken (or a polite apology).

:class:`Turns` holds what a turn needs (recogniser, responder, event sink, executor,
speech) and runs the steps; the pipeline decides *when* a turn runs and what comes after
it. Each step returns whether the agent replied, which keeps talk mode going.

Failures become a ``PipelineError`` with a stable code and a short spoken apology, so a
user who cannot see the screen still learns that something went wrong. Cancellation
(barge-in, stop, pause) propagates untouched. Must not import Qt or any engine library.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from openclaw_desktop.voice import events as ev
from openclaw_desktop.voice.events import ErrorCode, WakeSource
from openclaw_desktop.voice.ports import SAMPLE_RATE, Responder, Transcriber
from openclaw_desktop.voice.responder import ReplyError
from openclaw_desktop.voice.speaking import Blocking, Speech
from openclaw_desktop.voice.wake_confirm import command_from, is_stop_request

log = logging.getLogger(__name__)

SORRY_NO_COMMAND = "Sorry, I didn't catch that."
APOLOGIES = {
    ErrorCode.GATEWAY_UNAVAILABLE: "Sorry, I can't reach the assistant right now.",
    ErrorCode.REPLY_FAILED: "Sorry, something went wrong with the answer.",
    ErrorCode.STT_FAILED: "Sorry, I couldn't understand that.",
}


class Turns:
    """The steps of a turn; see the module docstring."""

    def __init__(self, *, stt: Transcriber, responder: Responder, emit: Callable[[ev.VoiceEvent], None],
                 blocking: Blocking, speech: Callable[[], Speech], chime: Callable[[str], int],
                 wake_phrase: Callable[[], str]) -> None:
        self.stt = stt
        self.responder = responder
        self.emit = emit
        self.blocking = blocking
        self.speech = speech
        """A new :class:`Speech` for each reply or apology."""
        self.chime = chime
        self.wake_phrase = wake_phrase

    async def from_audio(self, audio: np.ndarray, reason: str, source: WakeSource, wake_mentions: int = 1) -> bool:
        """Transcribe a captured command (the wake phrase is cut out) and answer it."""
        self.emit(ev.Transcribing(round(audio.size / SAMPLE_RATE, 2), reason))
        try:
            transcript = await self.blocking(self.stt.transcribe, audio)
        except Exception as exc:
            log.exception("speech recognition failed")
            self.emit(ev.PipelineError(ErrorCode.STT_FAILED, f"speech recognition failed: {exc}"))
            return await self.apology(APOLOGIES[ErrorCode.STT_FAILED])
        command = command_from(transcript.text, self.wake_phrase(), wake_mentions)
        self.emit(ev.TranscriptReady(transcript.text, command))
        if not any(c.isalnum() for c in command):
            if source is WakeSource.TALK_MODE:
                return True  # a cough during a conversation: keep waiting quietly
            self.emit(ev.NoCommand("empty", SORRY_NO_COMMAND))
            return await self.apology(SORRY_NO_COMMAND)
        return await self.command(command, source)

    async def command(self, command: str, source: WakeSource) -> bool:
        """Send the command to the agent and speak the reply as it streams."""
        if is_stop_request(command):
            return source is WakeSource.TALK_MODE  # "never mind": nothing to send
        self.chime("send")
        self.emit(ev.Thinking(command))
        try:
            await self.speech().reply(self.responder.reply(command))
        except ReplyError as exc:
            self.emit(ev.PipelineError(exc.code, str(exc)))
            return await self.apology(APOLOGIES.get(exc.code, APOLOGIES[ErrorCode.REPLY_FAILED]))
        except Exception as exc:  # the responder is a port: anything it raises is a failed reply
            log.exception("reply failed")
            self.emit(ev.PipelineError(ErrorCode.REPLY_FAILED, str(exc)))
            return await self.apology(APOLOGIES[ErrorCode.REPLY_FAILED])
        return True

    async def apology(self, text: str) -> bool:
        """Say ``text``; no reply was given."""
        await self.speech().say(text)
        return False
