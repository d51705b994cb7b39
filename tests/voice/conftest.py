"""Fixtures for the voice tests: the real engines and the virtual audio devices.

They are created lazily, only for tests that ask for them (``tts``, ``stt``,
``virtual_audio``), once per session.
"""

from tests.voice.audio_env import virtual_audio
from tests.voice.engine_fixtures import stt, tts

__all__ = ["stt", "tts", "virtual_audio"]
