"""Settings → Models → "Add a model…": a form for one more Whisper model or Piper voice.

The form only collects and checks input (:func:`openclaw_desktop.assets.user_catalog.draft_model`);
the tab owns saving (it asks the server for the sizes and appends to the user catalog).
Choosing a kind pre-fills the file rows with the names that kind needs as placeholders;
"Add another file" adds a row. Must not touch the network or the disk.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from openclaw_desktop.assets.catalog import CatalogError
from openclaw_desktop.assets.user_catalog import FORM_KINDS, DraftModel, draft_model

from .widgets import StatusLine, hint

EXPECTED_FILES = {
    "piper": ("voice.onnx", "voice.onnx.json"),
    "whisper": ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"),
}
"""The files each kind needs (shown as placeholders in the URL fields)."""


class AddModelForm(QGroupBox):
    """Kind, name, licence and file rows (URL + SHA-256), with Save and a message line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Add a model", parent)
        self.kind = QComboBox()
        for kind, label in FORM_KINDS.items():
            self.kind.addItem(label, kind)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Whisper small.en")
        self.licence = QLineEdit()
        self.licence.setPlaceholderText("optional, e.g. MIT (from the model's page)")
        self.files: list[tuple[QLineEdit, QLineEdit]] = []
        self.file_grid = QGridLayout()
        self.add_file_button = QPushButton("Add another file")
        self.add_file_button.clicked.connect(lambda: self.add_file_row())
        self.save_button = QPushButton("Save to catalog")
        self.cancel_button = QPushButton("Cancel")
        self.message = StatusLine()
        form = QFormLayout()
        form.addRow("Kind", self.kind)
        form.addRow("Name", self.name)
        form.addRow("Licence", self.licence)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_file_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint("Each file's URL (https:// or http://) and its SHA-256 from the publisher "
                              "(on Hugging Face: the file's page, \"SHA256\"). The download is refused "
                              "if the bytes do not match."))
        layout.addLayout(self.file_grid)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.kind.currentIndexChanged.connect(lambda _index: self._kind_changed())
        self._kind_changed()

    @property
    def selected_kind(self) -> str:
        """``"whisper"`` or ``"piper"``."""
        return str(self.kind.currentData())

    def select_kind(self, kind: str) -> None:
        """Choose the kind (as the combo box would)."""
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def add_file_row(self, expected: str = "") -> tuple[QLineEdit, QLineEdit]:
        """One more URL + SHA-256 pair; ``expected`` is the file name shown as a hint."""
        url, sha = QLineEdit(), QLineEdit()
        url.setPlaceholderText(f"https://…/{expected or 'file'}")
        sha.setPlaceholderText("SHA-256 (64 hex digits)")
        row = len(self.files)
        self.file_grid.addWidget(url, row, 0)
        self.file_grid.addWidget(sha, row, 1)
        self.file_grid.setColumnStretch(0, 3)
        self.file_grid.setColumnStretch(1, 2)
        self.files.append((url, sha))
        return url, sha

    def fill_files(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Put (URL, SHA-256) pairs into the rows, adding rows as needed (tests, paste)."""
        while len(self.files) < len(pairs):
            self.add_file_row()
        for (url_edit, sha_edit), (url, sha) in zip(self.files, pairs, strict=False):
            url_edit.setText(url)
            sha_edit.setText(sha)

    def _kind_changed(self) -> None:
        typed = [(u.text(), s.text()) for u, s in self.files]
        for url, sha in self.files:
            for edit in (url, sha):
                self.file_grid.removeWidget(edit)
                edit.setParent(None)
                edit.deleteLater()
        self.files = []
        for name in EXPECTED_FILES[self.selected_kind]:
            self.add_file_row(name)
        self.fill_files([pair for pair in typed if pair[0] or pair[1]])  # keep what was typed

    def draft(self, existing_ids: Sequence[str]) -> DraftModel | None:
        """The checked input, or None after showing what is wrong."""
        try:
            draft = draft_model(self.selected_kind, self.name.text(),
                                [(u.text(), s.text()) for u, s in self.files], self.licence.text(), existing_ids)
        except CatalogError as exc:
            self.message.show_error(str(exc))
            return None
        self.message.show_info(f"Checking the files of {draft.title}…")
        return draft

    def clear(self) -> None:
        """Empty the form for the next model."""
        self.name.clear()
        self.licence.clear()
        for url, sha in self.files:
            url.clear()
            sha.clear()
        self.message.clear()
