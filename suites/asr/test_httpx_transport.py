"""The httpx transport and respx side effect translate faithfully, with no socket (a stub handler)."""

from __future__ import annotations

from unittest.mock import Mock

import httpx
import pytest
import respx

from asr_emulator.http import HttpRequest, HttpResponse
from drlab.httpx_transport import HttpxEmulatorTransport, httpx_handler

ARM = "https://management.azure.com"
VAULT_PATH = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v%201"


def stub(status: int = 202, headers: dict[str, str] | None = None, body: bytes = b"") -> Mock:
    handler = Mock()
    handler.handle.return_value = HttpResponse(status, headers or {}, body)
    return handler


def received(handler: Mock) -> HttpRequest:
    (request,) = handler.handle.call_args.args
    return request


def test_sync_client_request_reaches_handler_intact() -> None:
    handler = stub()
    with httpx.Client(transport=HttpxEmulatorTransport(handler), base_url=ARM) as client:
        client.put(
            f"{VAULT_PATH}/replicationPolicies/p1",
            params={"api-version": "2025-08-01"},
            headers=[("Authorization", "Bearer t"), ("X-Twice", "a"), ("X-Twice", "b")],
            json={"properties": {}},
        )
    request = received(handler)
    assert request.method == "PUT"
    assert request.url == f"{ARM}{VAULT_PATH}/replicationPolicies/p1?api-version=2025-08-01"
    assert request.header("authorization") == "Bearer t"
    assert request.header("x-twice") == "a, b"
    assert request.body == b'{"properties":{}}'


def test_sync_client_sees_handler_response() -> None:
    handler = stub(202, {"Location": f"{ARM}/op/1", "Retry-After": "30"}, b"")
    with httpx.Client(transport=HttpxEmulatorTransport(handler)) as client:
        response = client.delete(f"{ARM}{VAULT_PATH}")
    assert response.status_code == 202
    assert response.headers["location"] == f"{ARM}/op/1"
    assert response.headers["retry-after"] == "30"
    assert response.content == b""


@pytest.mark.asyncio
async def test_async_client_shares_the_transport() -> None:
    handler = stub(200, {"Content-Type": "application/json"}, b'{"value": []}')
    async with httpx.AsyncClient(transport=HttpxEmulatorTransport(handler)) as client:
        response = await client.post(f"{ARM}/x", content=b"raw")
    assert response.json() == {"value": []}
    assert received(handler).body == b"raw"


def test_respx_side_effect_answers_only_its_route() -> None:
    handler = stub(404, {"Content-Type": "application/json"}, b'{"error": {"code": "NotFound"}}')
    with respx.mock(assert_all_called=True) as router:
        router.route(host="management.azure.com").mock(side_effect=httpx_handler(handler))
        response = httpx.get(f"{ARM}{VAULT_PATH}", params={"api-version": "2026-11-01"})
        with pytest.raises(respx.models.AllMockedAssertionError):
            httpx.get("https://example.invalid/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NotFound"
    assert received(handler).url == f"{ARM}{VAULT_PATH}?api-version=2026-11-01"
    assert handler.handle.call_count == 1
