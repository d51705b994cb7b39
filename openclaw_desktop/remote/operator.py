"""The app's operator connection to a gateway, and a one-shot chat over it.

Presents the shared secret when the user gave one, otherwise the device token this
gateway issued earlier (stored per gateway URL and role, 0600). Every connect is signed
with the desktop's Ed25519 identity, so the gateway pairs this app once; tokens it
returns are saved for the next run and dropped when the gateway says they are wrong.
"""

from __future__ import annotations

import contextlib
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from openclaw_desktop.client.gateway_client import (
    ClientOptions,
    GatewayClient,
    RpcError,
)
from openclaw_desktop.nodes.desktop.identity import (
    DeviceTokenStore,
    StoredToken,
    load_or_create_identity,
)

DEFAULT_SCOPES = ("operator.read", "operator.write")
ROLE = "operator"


class AttachError(Exception):
    """A refusal the user can act on (the message says how)."""


@dataclass
class RemoteOperator:
    url: str
    state_dir: Path
    token: str | None = None
    password: str | None = None
    scopes: tuple[str, ...] = DEFAULT_SCOPES

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[GatewayClient]:
        identity = load_or_create_identity(self.state_dir)
        tokens = DeviceTokenStore.for_state(self.state_dir)
        stored = None if (self.token or self.password) else tokens.get(self.url, ROLE, identity.device_id)
        opts = ClientOptions(token=self.token, password=self.password,
                             device_token=stored.token if stored else None, role=ROLE, scopes=list(self.scopes),
                             client_id="openclaw-linux", client_mode="ui", identity=identity,
                             display_name="OpenClaw Desktop", platform=sys.platform,
                             device_family={"linux": "Linux", "darwin": "Mac", "win32": "Windows"}.get(
                                 sys.platform, sys.platform))
        try:
            async with GatewayClient.connect(self.url, opts) as client:
                auth = client.hello.get("auth") or {}
                if isinstance(auth.get("deviceToken"), str):
                    tokens.put(self.url, ROLE, StoredToken(auth["deviceToken"], identity.device_id,
                                                           tuple(auth.get("scopes") or ()), auth.get("issuedAtMs")))
                yield client
        except RpcError as exc:
            code = exc.details.get("code")
            if code == "AUTH_DEVICE_TOKEN_MISMATCH":
                tokens.clear(self.url, ROLE)
                raise AttachError("the gateway no longer accepts this app's device token; "
                                  "connect once with --token to pair again") from None
            if code == "PAIRING_REQUIRED":
                raise AttachError(f"this app is waiting for approval on the gateway: run "
                                  f"`openclaw devices approve {exc.details.get('requestId')}` there, then retry") from None
            if code in ("AUTH_TOKEN_MISSING", "AUTH_TOKEN_MISMATCH", "AUTH_PASSWORD_MISMATCH"):
                raise AttachError(f"{exc.error.get('message')} — pass --token (or --password)") from None
            raise AttachError(str(exc)) from None
        except OSError as exc:
            raise AttachError(f"cannot reach {self.url}: {exc}") from None


async def chat_once(operator: RemoteOperator, message: str, session_key: str = "main",
                    on_text: Callable[[str], None] = lambda _t: None, timeout_s: float = 300.0) -> str:
    """Send one message and stream the reply; returns the final text (AttachError on error)."""
    run_id = str(uuid.uuid4())
    async with operator.connect() as client:
        ack = await client.call("chat.send", {"sessionKey": session_key, "message": message, "idempotencyKey": run_id})
        run_id = ack.get("runId", run_id)
        shown = ""
        while True:
            event = await client.next_event("chat", timeout=timeout_s)
            payload = event.get("payload") or {}
            if payload.get("runId") != run_id:
                continue
            state = payload.get("state")
            text = payload.get("deltaText") if state == "delta" else None
            if state == "final":
                blocks = (payload.get("message") or {}).get("content") or []
                text = "".join(b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text")
            if isinstance(text, str) and text.startswith(shown) and len(text) > len(shown):
                on_text(text[len(shown):])
                shown = text
            if state == "final":
                return shown
            if state in ("error", "aborted"):
                raise AttachError(payload.get("errorMessage") or f"the run ended: {state}")

