"""This desktop as an OpenClaw node (``openclaw-desktop node``).

``ports`` (engine Protocols), ``commands`` (registry + params → payloads), ``wire``
(sans-I/O invoke/reconnect rules), ``identity`` (key + device tokens on disk),
``client`` (the reconnecting node client), ``headless`` (no-Qt adapters) and
``launcher`` (CLI settings, headless run). The Qt adapters live in
``openclaw_desktop/ui/node_adapters``; nothing here imports Qt.
"""
