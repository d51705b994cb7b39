"""The chat window's view-model: pure code, no Qt, no asyncio, no sockets.

It folds the gateway's ``chat`` / ``agent`` / ``exec.approval.*`` events and
``chat.history`` results into an ordered list of transcript items (``items``), and
says what changed (``changes``) so a view can update one row instead of redrawing
everything. The Qt window in ``openclaw_desktop/ui/chat/`` only renders what this
package decides.
"""
