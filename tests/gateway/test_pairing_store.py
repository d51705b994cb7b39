"""The pairing store on a real SQLite file: pending requests expire after 5 minutes."""

from __future__ import annotations

import pytest

from openclaw_desktop.errors import GatewayError
from openclaw_desktop.pairing.records import PendingRequest
from openclaw_desktop.pairing.store import PairingStore
from openclaw_desktop.storage.sqlite import Database

T0 = 1_800_000_000_000


def request(device: str, ts: int = T0) -> PendingRequest:
    return PendingRequest("", device, "pk-" + device, "node", ("node",), (), ts)


@pytest.fixture
async def db(tmp_path):
    database = Database(tmp_path / "p.sqlite")
    await database.open()
    yield database
    await database.close()  # an open aiosqlite thread would keep the test process alive


async def test_pending_requests_expire_after_five_minutes(tmp_path, db):
    store = PairingStore(db)
    pending, created, _ = await store.upsert_pending(request("d1"), T0)
    assert created and [r.request_id for r in store.pending(T0 + 299_000)] == [pending.request_id]
    # A reconnect refreshes the request (same id, new clock) instead of piling up.
    again, created, _ = await store.upsert_pending(request("d1"), T0 + 200_000)
    assert not created and again.request_id == pending.request_id
    assert store.pending(T0 + 450_000) != []  # refreshed at +200 s, so alive until +500 s
    assert store.pending(T0 + 501_000) == []
    with pytest.raises(GatewayError, match="unknown requestId"):
        await store.approve(pending.request_id, T0 + 501_000, "owner")
    # The expired row is dropped by the next write, also after reloading from disk.
    store = PairingStore(db)
    await store.load()
    await store.upsert_pending(request("d2", T0 + 600_000), T0 + 600_000)
    assert [r.device_id for r in store.pending(T0 + 600_000)] == ["d2"]
    assert len(await db.fetch_all("SELECT request_id FROM pairing_pending")) == 1
