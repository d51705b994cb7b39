"""Settings → Voice: wake word, trigger words, microphone (with a live level), output
device, voice, silence timeout and chimes.

Each control writes its own config key as soon as it changes (the voice package reads
the same keys: ``voice.wake.enabled``, ``voice.wake.phrase``, ``voice.input_device``,
``voice.output_device``, ``voice.tts_voice``, ``voice.silence_timeout_ms``,
``voice.chimes``). Trigger words are the gateway-global list (``voicewake.get|set``)
shared with phones: each edit is sent at once and ``voicewake.changed`` from any device
refreshes the list. Device and voice names come from callables the voice package
supplies; this module never touches audio itself.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from openclaw_desktop.voice.triggers import MAX_TRIGGERS

from .ports import SettingsExtras, SettingsLink
from .widgets import LevelMeter, SettingsTab, hint

DEFAULT_WAKE_PHRASE = "hey jarvis"
DEFAULT_SILENCE_MS = 700
SYSTEM_DEFAULT = "System default"
DEFAULT_VOICE = "Default voice"

WAKE_ENABLED = "voice.wake.enabled"
WAKE_PHRASE = "voice.wake.phrase"
INPUT_DEVICE = "voice.input_device"
OUTPUT_DEVICE = "voice.output_device"
TTS_VOICE = "voice.tts_voice"
SILENCE_MS = "voice.silence_timeout_ms"
CHIMES = "voice.chimes"


def _names(source: Any) -> list[str]:
    try:
        return [str(n) for n in source()]
    except Exception:  # noqa: BLE001 - no audio stack (or a broken one) means no devices to list
        return []


class VoiceTab(SettingsTab):
    title = "Voice"
    reload_events = frozenset({"config.changed"})

    def __init__(self, link: SettingsLink, extras: SettingsExtras, parent: QWidget | None = None) -> None:
        super().__init__(link, extras, parent)
        self._loading = False
        self.wake_enabled = QCheckBox("Listen for the wake word")
        self.wake_enabled.toggled.connect(lambda on: self._save(WAKE_ENABLED, on))
        self.wake_phrase = QComboBox()
        self.wake_phrase.setEditable(True)
        self.wake_phrase.addItems(_names(extras.wake_phrases) or [DEFAULT_WAKE_PHRASE])
        self.wake_phrase.activated.connect(lambda _i: self._save_phrase())
        line = self.wake_phrase.lineEdit()
        if line is not None:
            line.editingFinished.connect(self._save_phrase)

        self.triggers = QListWidget()
        self.triggers.setMaximumHeight(110)
        self.new_trigger = QLineEdit()
        self.new_trigger.setPlaceholderText("add a trigger word")
        self.new_trigger.returnPressed.connect(self._add_trigger)
        self.add_trigger_button = QPushButton("Add")
        self.add_trigger_button.clicked.connect(self._add_trigger)
        self.remove_trigger_button = QPushButton("Remove")
        self.remove_trigger_button.clicked.connect(self._remove_trigger)
        trigger_row = QHBoxLayout()
        trigger_row.addWidget(self.new_trigger, 1)
        trigger_row.addWidget(self.add_trigger_button)
        trigger_row.addWidget(self.remove_trigger_button)

        self.microphone = self._device_combo(extras.input_devices, INPUT_DEVICE, SYSTEM_DEFAULT)
        self.level = LevelMeter(extras.level_source)
        self.output = self._device_combo(extras.output_devices, OUTPUT_DEVICE, SYSTEM_DEFAULT)
        self.tts_voice = self._device_combo(extras.tts_voices, TTS_VOICE, DEFAULT_VOICE)
        self.silence_ms = QSpinBox()
        self.silence_ms.setRange(200, 5000)
        self.silence_ms.setSingleStep(50)
        self.silence_ms.setSuffix(" ms")
        self.silence_ms.setValue(DEFAULT_SILENCE_MS)
        self.silence_ms.setMaximumWidth(120)
        self.silence_ms.editingFinished.connect(lambda: self._save(SILENCE_MS, self.silence_ms.value()))
        self.chimes = QCheckBox("Play a chime when listening starts and stops")
        self.chimes.toggled.connect(lambda on: self._save(CHIMES, on))

        wake_box = QGroupBox("Wake word")
        wake_form = QFormLayout(wake_box)
        wake_form.addRow(self.wake_enabled)
        wake_form.addRow("Wake phrase", self.wake_phrase)
        wake_form.addRow("Trigger words", self.triggers)
        wake_form.addRow("", trigger_row)
        wake_form.addRow(hint(f"Trigger words are shared with your phones (up to {MAX_TRIGGERS}); "
                              "edits apply at once."))
        audio_box = QGroupBox("Audio")
        audio_form = QFormLayout(audio_box)
        audio_form.addRow("Microphone", self.microphone)
        audio_form.addRow("Level", self.level)
        audio_form.addRow("Output device", self.output)
        audio_form.addRow("Voice", self.tts_voice)
        audio_form.addRow("End of speech after", self.silence_ms)
        audio_form.addRow(self.chimes)
        layout = QVBoxLayout(self)
        layout.addWidget(wake_box)
        layout.addWidget(audio_box)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def _device_combo(self, source: Any, key: str, default_label: str) -> QComboBox:
        combo = QComboBox()
        combo.addItem(default_label, None)
        for name in _names(source):
            combo.addItem(name, name)
        combo.currentIndexChanged.connect(lambda _i: self._save(key, combo.currentData()))
        return combo

    # ---- loading --------------------------------------------------------------------
    async def load(self) -> None:
        view = await self.config.load()
        triggers = await self.link.call("voicewake.get", {})
        self._loading = True  # setting the controls must not write them straight back
        try:
            self.wake_enabled.setChecked(bool(view.get(WAKE_ENABLED, False)))
            self.wake_phrase.setCurrentText(str(view.get(WAKE_PHRASE) or DEFAULT_WAKE_PHRASE))
            for combo, key in ((self.microphone, INPUT_DEVICE), (self.output, OUTPUT_DEVICE),
                               (self.tts_voice, TTS_VOICE)):
                self._select(combo, view.get(key))
            silence = view.get(SILENCE_MS, DEFAULT_SILENCE_MS)
            self.silence_ms.setValue(silence if isinstance(silence, int) else DEFAULT_SILENCE_MS)
            self.chimes.setChecked(bool(view.get(CHIMES, True)))
            self.show_triggers(triggers.get("triggers") or [])
        finally:
            self._loading = False

    @staticmethod
    def _select(combo: QComboBox, value: Any) -> None:
        if value is None:
            combo.setCurrentIndex(0)
            return
        index = combo.findData(value)
        if index < 0:  # configured but not present now (unplugged): keep showing it
            combo.addItem(f"{value} (not found)", value)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    def show_triggers(self, triggers: list[str]) -> None:
        self.triggers.clear()
        self.triggers.addItems([str(t) for t in triggers])
        full = self.triggers.count() >= MAX_TRIGGERS
        self.add_trigger_button.setEnabled(not full)
        self.new_trigger.setEnabled(not full)

    def on_event(self, name: str, payload: dict[str, Any]) -> None:
        if name == "voicewake.changed" and isinstance(payload.get("triggers"), list):
            self.show_triggers(payload["triggers"])
            return
        super().on_event(name, payload)

    # ---- writes ---------------------------------------------------------------------
    def _save(self, key: str, value: Any) -> None:
        if not self._loading:
            self.run(self.save(key, value), f"saving {key}")

    async def save(self, key: str, value: Any) -> None:
        await self.config.set_value(key, value)
        self.status.show_ok("Saved.")

    def _save_phrase(self) -> None:
        phrase = self.wake_phrase.currentText().strip()
        self._save(WAKE_PHRASE, phrase or None)

    def current_triggers(self) -> list[str]:
        return [self.triggers.item(i).text() for i in range(self.triggers.count())]

    def _add_trigger(self) -> None:
        word = self.new_trigger.text().strip()
        if not word or word in self.current_triggers():
            return
        self.new_trigger.clear()
        self.run(self.set_triggers([*self.current_triggers(), word]), "saving trigger words")

    def _remove_trigger(self) -> None:
        item = self.triggers.currentItem()
        if item is None:
            return
        remaining = [t for t in self.current_triggers() if t != item.text()]
        self.run(self.set_triggers(remaining), "saving trigger words")

    async def set_triggers(self, triggers: list[str]) -> list[str]:
        """``voicewake.set``; the gateway normalises (an empty list means the defaults)."""
        result = await self.link.call("voicewake.set", {"triggers": triggers[:MAX_TRIGGERS]})
        applied = [str(t) for t in result.get("triggers") or []]
        self.show_triggers(applied)
        self.status.show_ok("Trigger words updated on every device.")
        return applied
