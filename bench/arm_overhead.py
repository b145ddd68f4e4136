"""Benchmark: what the emulator adds to one SDK call, against the SDK's own floor.

Both sides run ``client.replication_policies.get(...)`` through core's in-process ``AsrTransport``:
one answered by the real ``AsrService``, the other by a handler returning the very response the
service gave once (same status, headers and body, so the SDK deserializes the same thing). The
difference is ``AsrService.handle``. Blocks of N calls alternate between the sides, best of ROUNDS
per side. Run by hand: ``python bench/arm_overhead.py [N] [ROUNDS]``. Target: ratio <= 1.5.
"""

from __future__ import annotations

import sys
import time

from asr_emulator import AsrService, HttpRequest, HttpResponse
from drlab.azure_transport import DEFAULT_SUBSCRIPTION, site_recovery_client
from simcore import Simulation

RG, VAULT, POLICY = "rg-bench", "vault1", "pol1"
POLICY_INPUT = {"instanceType": "HyperVReplica2012R2", "replicationPort": 8083, "allowedAuthenticationType": 1}


class Canned:
    """A handler that answers every request with one recorded response: the SDK-only floor."""

    def __init__(self, sim: Simulation, response: HttpResponse) -> None:
        self.sim = sim
        self.response = response

    def handle(self, request: HttpRequest) -> HttpResponse:
        return self.response


def _service_with_a_policy() -> AsrService:
    service = AsrService(Simulation(1))
    service.create_vault(DEFAULT_SUBSCRIPTION, RG, VAULT)
    client = site_recovery_client(service)
    client.replication_policies.begin_create(RG, VAULT, POLICY, {"properties": {"providerSpecificInput": POLICY_INPUT}}).result()
    return service


def _recorded_get(service: AsrService) -> HttpResponse:
    url = (f"https://management.azure.com/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/{RG}/providers/"
           f"Microsoft.RecoveryServices/vaults/{VAULT}/replicationPolicies/{POLICY}?api-version=2025-08-01")
    response = service.handle(HttpRequest("GET", url, {"Authorization": "Bearer bench"}))
    assert response.status == 200, response.body
    return response


def _block(client, n: int) -> float:  # type: ignore[no-untyped-def]
    get = client.replication_policies.get
    start = time.perf_counter()
    for _ in range(n):
        get(RG, VAULT, POLICY)
    return (time.perf_counter() - start) / n


def main(n: int = 2_000, rounds: int = 5) -> float:
    service = _service_with_a_policy()
    emulated = site_recovery_client(service)
    floor = site_recovery_client(Canned(service.sim, _recorded_get(service)))
    assert emulated.replication_policies.get(RG, VAULT, POLICY).as_dict() == floor.replication_policies.get(
        RG, VAULT, POLICY).as_dict()
    best_emulated = best_floor = float("inf")
    for _ in range(rounds):
        best_floor = min(best_floor, _block(floor, n))
        best_emulated = min(best_emulated, _block(emulated, n))
    ratio = best_emulated / best_floor
    print(f"SDK get through AsrService : {best_emulated * 1e6:8.1f} us/call")
    print(f"SDK get, canned response   : {best_floor * 1e6:8.1f} us/call")
    print(f"handle() adds              : {(best_emulated - best_floor) * 1e6:8.1f} us/call")
    print(f"ratio                      : {ratio:8.2f}  (target <= 1.5; {n} calls x {rounds} interleaved rounds, best of each)")
    return ratio


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
