"""Settings → Models: the voice models bundled with the app, and extra ones to download.

Three groups: **Bundled with the app** (from :mod:`openclaw_desktop.assets.bundled`, with
their licences; "Use…" goes back to them by removing the config key), **Installed**
(downloaded models: "Use for speech recognition" writes ``voice.stt_model`` = the model's
folder, "Use as voice" writes ``voice.tts_voice`` = its ``.onnx`` file, both through
``config.patch`` on the link; Remove deletes the folder and first points the config back
at the bundled model if it was in use) and **Available to download** (the catalog: the
built-in list plus ``<state dir>/models/catalog.json``). "Add a model…" opens
:class:`~.add_model_form.AddModelForm`; Save learns each file's size from its server and
appends the entry to the user catalog (:mod:`openclaw_desktop.assets.user_catalog`, atomic
write), and the new row appears under Available to download.

Downloads run as asyncio tasks on the app's one (qasync) loop with ``httpx``: the UI never
waits on the network, and hashing a resumed part runs in a worker thread (see
:mod:`openclaw_desktop.assets.download`). Cancel cancels the task; the partial file stays,
so the next Download resumes with a Range request. A hash mismatch deletes the file and
says so; a server that is down or drops the connection gives a message (the store has
already retried, resuming, three times). Models live on this computer, under the hosted
gateway's state dir (else the link's, else the default one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from openclaw_desktop.assets.builtin_catalog import CATALOG
from openclaw_desktop.assets.bundled import (
    BUNDLED_MODELS,
    README_SECTION_URL,
    BundledModel,
    installed_version,
)
from openclaw_desktop.assets.catalog import CatalogError, ModelAsset, parse_catalog
from openclaw_desktop.assets.download import DownloadError, VerificationError
from openclaw_desktop.assets.store import ModelStore, load_catalog, models_dir
from openclaw_desktop.assets.user_catalog import DraftModel, append_model, probe_size
from openclaw_desktop.config.paths import StatePaths

from .add_model_form import AddModelForm
from .model_row import USE_CAPTIONS, ModelRow
from .ports import HostedGateway, SettingsExtras, SettingsLink
from .widgets import RowList, SettingsTab, StatusLine, hint

STT_MODEL = "voice.stt_model"
TTS_VOICE = "voice.tts_voice"
USE_KEYS = {"whisper": STT_MODEL, "piper": TTS_VOICE}
HTTP_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
"""No read for 30 s counts as a dropped connection (the store then resumes)."""
EVERYTHING_INSTALLED = "Every model in the catalog is installed."


def state_models_dir(link: SettingsLink, host: HostedGateway | None) -> Path:
    """``<state dir>/models`` on this computer: the hosted gateway's, else the link's, else the default."""
    if host is not None:
        return models_dir(host.services.config.paths.state_dir)
    state_dir = getattr(link, "state_dir", None)
    return models_dir(Path(state_dir) if state_dir else StatePaths.resolve().state_dir)


def bundled_licences_html() -> str:
    """The bundled models and their licences, with a link to the README's table (About)."""
    lines = [f"{_html(m.title)} — <b>{_html(m.licence)}</b> (<code>{m.package}</code>)" for m in BUNDLED_MODELS]
    return "<br>".join(lines) + f'<br><a href="{README_SECTION_URL}">Models and licences in the README</a>'


def licences_label() -> QLabel:
    """About's "Bundled models": :func:`bundled_licences_html` in a wrapping label whose link opens."""
    label = QLabel(bundled_licences_html())
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setOpenExternalLinks(True)
    return label


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _same_path(a: Any, b: str) -> bool:
    return isinstance(a, str) and bool(a.strip()) and Path(a) == Path(b)


class ModelsTab(SettingsTab):
    title = "Models"
    reload_events = frozenset({"config.changed"})

    def __init__(self, link: SettingsLink, host: HostedGateway | None, extras: SettingsExtras,
                 open_folder: Callable[[Path], None], parent: QWidget | None = None) -> None:
        super().__init__(link, extras, parent)
        self.root = state_models_dir(link, host)
        self.store = ModelStore(self.root)
        self.rows: dict[str, ModelRow] = {}
        self.downloads: dict[str, asyncio.Task[Any]] = {}
        self.in_use: dict[str, Any] = {STT_MODEL: None, TTS_VOICE: None}
        """The configured ``voice.stt_model`` / ``voice.tts_voice`` (None: the bundled ones)."""

        self.bundled = RowList("")
        bundled_box = QGroupBox("Bundled with the app")
        bundled_layout = QVBoxLayout(bundled_box)
        bundled_layout.addWidget(self.bundled)
        self.nothing_listed = ("Nothing to download: the built-in list stays empty until the models' "
                               f"publisher hashes are added. Use \"Add a model…\" below, or edit "
                               f"{self.root / 'catalog.json'} (format: docs/packaging.md).")
        self.installed_box, self.installed_layout, self.installed_empty = self._group(
            "Installed", "No downloaded models yet.")
        self.available_box, self.available_layout, self.available_empty = self._group(
            "Available to download", self.nothing_listed)
        self.catalog_error = StatusLine()
        self.open_button = QPushButton("Open models folder")
        self.open_button.clicked.connect(lambda: open_folder(self._ensure_root()))
        self.add_button = QPushButton("Add a model…")
        self.add_form = AddModelForm()
        self.add_form.setVisible(False)
        self.add_button.clicked.connect(lambda: self._show_form(True))
        self.add_form.cancel_button.clicked.connect(lambda: self._show_form(False))
        self.add_form.save_button.clicked.connect(self.save_new_model)
        footer = QHBoxLayout()
        footer.addWidget(hint(f"Downloads are checked against their SHA-256 and kept in {self.root}. "
                              f"Catalog: {self.root / 'catalog.json'}."), 1)
        footer.addWidget(self.add_button)
        footer.addWidget(self.open_button)

        content = QWidget()
        column = QVBoxLayout(content)
        for part in (bundled_box, self.installed_box, self.available_box, self.catalog_error):
            column.addWidget(part)
        column.addLayout(footer)
        column.addWidget(self.add_form)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        self.show_bundled()
        self.refresh_catalog()

    @staticmethod
    def _group(title: str, empty: str) -> tuple[QGroupBox, QVBoxLayout, QLabel]:
        box = QGroupBox(title)
        layout = QVBoxLayout(box)
        label = hint(empty)
        layout.addWidget(label)
        return box, layout, label

    def _ensure_root(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root

    # ---- loading --------------------------------------------------------------------
    async def load(self) -> None:
        self.refresh_catalog()  # local files: shown even when the gateway does not answer
        view = await self.config.load()
        self.in_use = {STT_MODEL: view.get(STT_MODEL), TTS_VOICE: view.get(TTS_VOICE)}
        self.show_bundled()
        self.place_rows()

    def refresh_catalog(self) -> None:
        """Re-read the catalog; keep rows (and running downloads) of unchanged entries."""
        try:
            assets = load_catalog(self.root)
            self.catalog_error.clear()
        except CatalogError as exc:
            assets = parse_catalog(CATALOG)
            self.catalog_error.show_error(f"The model catalog was not read: {exc}")
        wanted = {a.id: a for a in assets}
        for model_id, row in list(self.rows.items()):
            if model_id in self.downloads:
                continue  # never pull a row from under its running download
            if wanted.get(model_id) != row.asset:
                del self.rows[model_id]
                row.setParent(None)
                row.deleteLater()
        for asset in assets:
            if asset.id not in self.rows:
                self.rows[asset.id] = self._new_row(asset)
        self.place_rows()

    def _new_row(self, asset: ModelAsset) -> ModelRow:
        row = ModelRow(asset)
        row.download_button.clicked.connect(lambda: self.download(asset.id))
        row.cancel_button.clicked.connect(lambda: self.cancel(asset.id))
        row.use_button.clicked.connect(lambda: self.use(asset.id))
        row.on_remove = lambda: self.remove(asset.id)
        return row

    def place_rows(self) -> None:
        """Put each row in Installed or Available (catalog order) and show its state."""
        for row in self.rows.values():
            for layout in (self.installed_layout, self.available_layout):
                layout.removeWidget(row)
        for row in self.rows.values():
            installed = not row.downloading and self.store.is_installed(row.asset)
            (self.installed_layout if installed else self.available_layout).addWidget(row)
            if row.downloading:
                continue
            if installed:
                row.show_installed(self.store.folder(row.asset), self._is_in_use(row.asset))
            else:
                row.show_available(self.store.downloaded_bytes(row.asset))
        self.installed_empty.setVisible(not any(r.installed for r in self.rows.values()))
        self.available_empty.setText(EVERYTHING_INSTALLED if self.rows else self.nothing_listed)
        self.available_empty.setVisible(all(r.installed for r in self.rows.values()))

    def show_bundled(self) -> None:
        """List the bundled models, marking the ones the config selects (no key set)."""
        self.bundled.set_rows([self._bundled_row(model) for model in BUNDLED_MODELS])

    def _bundled_row(self, model: BundledModel) -> tuple[str, str, list[tuple[str, Callable[[], None]]]]:
        version = installed_version(model)
        where = f"{model.package} {version}" if version else f"{model.package} not installed"
        key = USE_KEYS.get(model.kind or "")
        configured = self.in_use.get(key) if key is not None else None
        in_use = key is not None and not (isinstance(configured, str) and configured.strip())
        text = f"{model.title} — {model.role} · licence {model.licence} · {where}" + (" · in use" if in_use else "")
        if key is None or in_use or not version or model.kind not in USE_CAPTIONS:
            return model.key, text, []
        return model.key, text, [(USE_CAPTIONS[model.kind], lambda: self.use_bundled(key, model.title))]

    # ---- what is in use -------------------------------------------------------------
    def use_value(self, asset: ModelAsset) -> str | None:
        """The config value that selects ``asset``: the Whisper folder, or the Piper ``.onnx`` file."""
        folder = self.store.folder(asset)
        if asset.kind == "whisper":
            return str(folder)
        if asset.kind == "piper":
            onnx = [f.name for f in asset.files if f.name.endswith(".onnx")]
            return str(folder / onnx[0]) if onnx else None
        return None

    def _is_in_use(self, asset: ModelAsset) -> bool:
        key, value = USE_KEYS.get(asset.kind), self.use_value(asset)
        return key is not None and value is not None and _same_path(self.in_use.get(key), value)

    def use(self, model_id: str) -> None:
        """"Use for speech recognition" / "Use as voice" on an installed model."""
        asset = self.rows[model_id].asset
        value = self.use_value(asset)
        if value is None:
            self.status.show_error(f"{asset.title} has no .onnx voice file to use.")
            return
        self.run(self._use(USE_KEYS[asset.kind], value, asset.title), f"using {asset.title}")

    def use_bundled(self, key: str, title: str) -> None:
        """Back to a bundled model: the config key is removed."""
        self.run(self._use(key, None, title), f"using {title}")

    async def _use(self, key: str, value: str | None, title: str) -> None:
        await self.config.set_value(key, value)
        self.in_use[key] = value
        self.show_bundled()
        self.place_rows()
        role = "speech recognition" if key == STT_MODEL else "the voice"
        self.status.show_ok(f"{title} is now used for {role}.")

    # ---- adding a model to the user catalog -----------------------------------------
    def _show_form(self, visible: bool) -> None:
        self.add_form.setVisible(visible)
        self.add_button.setEnabled(not visible)
        if not visible:
            self.add_form.clear()

    def save_new_model(self) -> None:
        """Check the form; if it is fine, learn the sizes and append the entry (see :meth:`_save`)."""
        draft = self.add_form.draft(list(self.rows))
        if draft is not None:
            self.add_form.save_button.setEnabled(False)
            self.run(self._save(draft), f"adding {draft.title}")

    async def _save(self, draft: DraftModel) -> None:
        """Ask the server for each file's size, then write the catalog; nothing is written on failure."""
        form = self.add_form
        try:
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
                sizes = [await probe_size(client, f.url) for f in draft.files]
            asset = await asyncio.to_thread(append_model, self._ensure_root(), draft.entry(sizes))
        except (CatalogError, OSError) as exc:
            form.message.show_error(f"{draft.title} was not added: {exc}")
            return
        finally:
            form.save_button.setEnabled(True)
        self._show_form(False)
        self.refresh_catalog()
        self.status.show_ok(f"{asset.title} was added to {self.root / 'catalog.json'}; "
                            "Download it under Available to download.")

    # ---- download, cancel, remove ---------------------------------------------------
    def download(self, model_id: str) -> None:
        """Start (or resume) downloading a model; its row shows the progress."""
        row = self.rows[model_id]
        if model_id in self.downloads or row.installed:
            return
        task = self.tasks.spawn(self._download(row), f"downloading {row.asset.title}")
        self.downloads[model_id] = task
        # A task cancelled before its first step never enters _download's finally: forget it here too.
        task.add_done_callback(lambda done: self._forget(model_id, done))

    def _forget(self, model_id: str, task: asyncio.Task[Any]) -> None:
        if self.downloads.get(model_id) is task:
            del self.downloads[model_id]

    async def _download(self, row: ModelRow) -> None:
        asset = row.asset
        row.show_downloading(self.store.downloaded_bytes(asset))
        self.status.show_info(f"Downloading {asset.title}…")
        error: str | None = None
        try:
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
                await self.store.install(client, asset, row.show_progress)
        except VerificationError as exc:
            _remove_if_empty(self.store.folder(asset))
            error = f"{asset.title} was not installed: it did not match its SHA-256 ({exc})."
        except (DownloadError, OSError) as exc:
            error = f"Could not download {asset.title}: {exc}"
        finally:  # also on cancel: the row goes back to Available (paused) or Installed
            row.downloading = False
            self.downloads.pop(asset.id, None)
            if self.rows.get(asset.id) is row:
                self.place_rows()
        if error is not None:
            row.state.show_error(error)
            self.status.show_error(error)
        else:
            self.status.show_ok(f"{asset.title} is installed (SHA-256 verified).")

    def cancel(self, model_id: str) -> None:
        """Stop a download; the partial file stays and the next Download resumes it."""
        task = self.downloads.get(model_id)
        if task is not None:
            task.cancel()
            self.status.show_info(f"{self.rows[model_id].asset.title}: download paused; "
                                  "the part already received is kept.")

    def remove(self, model_id: str) -> None:
        """Delete an installed model (after the row's confirming second click)."""
        self.run(self._remove(self.rows[model_id]), f"removing {self.rows[model_id].asset.title}")

    async def _remove(self, row: ModelRow) -> None:
        asset = row.asset
        key = USE_KEYS.get(asset.kind)
        if key is not None and self._is_in_use(asset):
            await self.config.set_value(key, None)  # back to the bundled model before its files go
            self.in_use[key] = None
            self.show_bundled()
        await asyncio.to_thread(self.store.remove, asset)  # a large model folder: not on the loop
        self.place_rows()
        self.status.show_ok(f"{asset.title} was removed.")

    def dispose(self) -> None:
        for task in list(self.downloads.values()):
            task.cancel()
        super().dispose()


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()  # only succeeds when nothing (not even a verified file) is left
    except OSError:
        pass
