"""The topology endpoints in process: a host, a cloud and a VM added through ``/_harness/topology`` are
made by the lab's VMM cmdlets and synced by the site's Provider, so the SDK sees the new container and
protectable item at once (or at the Provider's next poll with ``sync: false``); refusals are ARM
errors that change nothing; and a journaled topology change is rebuilt by replay."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from drlab import Lab, Role
from drlab._lab.spec import CloudSpec, LabConfigError, VMSpec
from drlab.serve_lab import ServedLab

from .conftest import arm_error, digest, state


def _discovered(served: ServedLab) -> dict[str, dict[str, list[str]]]:
    return served.lab.discovered()


def test_a_cloud_and_a_vm_added_show_up_in_asr_and_a_host_joins_the_site(served: ServedLab,
                                                                         http: httpx.Client) -> None:
    added = http.post("/_harness/topology/hosts", json={"site": "primary"})
    assert added.status_code == 201 and added.json() == {"name": "hv-ny-3", "fqdn": "hv-ny-3.contoso.com",
                                                         "site": "primary"}
    cloud = http.post("/_harness/topology/clouds", json={"name": "Silver", "site": "primary"})
    assert cloud.status_code == 201 and cloud.json() == {"name": "Silver", "site": "primary", "disaster_recovery": True}
    vm = http.post("/_harness/topology/vms", json={"name": "Silver-VM1", "cloud": "Silver", "writes_per_second": 2})
    assert vm.status_code == 201 and vm.json()["cloud"] == "Silver"
    found = _discovered(served)["vmm-ny.contoso.com"]
    assert found["Silver"] == ["Silver-VM1"] and found["Gold"] == ["Gold-VM1", "Gold-VM2"]
    sites = http.get("/_harness/topology").json()["sites"]
    assert [h["name"] for h in sites["primary"]["hosts"]] == ["hv-ny-1", "hv-ny-2", "hv-ny-3"]
    assert "Silver" in [c["name"] for c in sites["primary"]["clouds"]] and served.lab.cloud_names()[-1] == "Silver"
    assert "hv-ny-3" in [node["name"] for node in http.get("/_harness/nodes").json()["nodes"]]


def test_without_sync_the_change_reaches_asr_at_the_providers_next_poll(served: ServedLab,
                                                                          http: httpx.Client) -> None:
    http.post("/_harness/topology/vms", json={"name": "Gold-VM3", "cloud": "Gold", "sync": False})
    assert "Gold-VM3" not in _discovered(served)["vmm-ny.contoso.com"]["Gold"]
    http.post("/_harness/clock/advance", json={"seconds": 120})
    assert "Gold-VM3" in _discovered(served)["vmm-ny.contoso.com"]["Gold"]


@pytest.mark.parametrize("path, body, status, code", [
    ("hosts", {"site": "moon"}, 400, "InvalidTopology"),
    ("clouds", {"name": "Gold", "site": "primary"}, 400, "InvalidTopology"),  # a duplicate
    ("clouds", {"name": "Tin", "networks": ["Nope"]}, 400, "InvalidTopology"),
    ("clouds", {"name": "Tin", "disaster_recovery": "yes"}, 400, "InvalidTopology"),
    ("clouds", {}, 400, "InvalidTopology"),
    ("vms", {"name": "Gold-VM1", "cloud": "Gold"}, 400, "InvalidTopology"),
    ("vms", {"name": "x", "cloud": "Nowhere"}, 400, "InvalidTopology"),
    ("vms", {"name": "x", "cloud": "Gold", "writes_per_second": -1}, 400, "InvalidTopology"),
    ("vms", {"name": "x", "cloud": "Gold", "colour": "red"}, 400, "InvalidRequestContent"),
])
def test_a_bad_topology_change_is_an_arm_error_and_changes_nothing(
        served: ServedLab, http: httpx.Client, path: str, body: dict[str, Any], status: int, code: str) -> None:
    before, journaled, spec = state(served), served.journal.position, served.lab.spec
    arm_error(http.post(f"/_harness/topology/{path}", json=body), status, code)
    assert state(served) == before and served.journal.position == journaled and served.lab.spec is spec


def test_a_topology_change_is_journaled_and_rebuilt_by_replay(served: ServedLab, http: httpx.Client) -> None:
    mark = http.post("/_harness/snapshot", json={}).json()["id"]
    http.post("/_harness/topology/clouds", json={"name": "Silver"})
    http.post("/_harness/topology/vms", json={"name": "Silver-VM1", "cloud": "Silver"})
    after, changed = http.post("/_harness/snapshot", json={}).json()["id"], digest(served)
    http.post("/_harness/restore", json={"id": mark})
    assert "Silver" not in _discovered(served)["vmm-ny.contoso.com"]
    http.post("/_harness/restore", json={"id": after})
    assert digest(served) == changed and _discovered(served)["vmm-ny.contoso.com"]["Silver"] == ["Silver-VM1"]


def test_the_lab_methods_refuse_before_changing_anything() -> None:
    lab = Lab(seed=2)
    with pytest.raises(LabConfigError, match="site must be"):
        lab.add_host("moon")
    with pytest.raises(LabConfigError, match="no cloud named"):
        lab.add_vm(VMSpec("x", "Nowhere"))
    assert [h.name for h in lab.primary.hosts] == ["hv-ny-1", "hv-ny-2"]
    lab.add_cloud(CloudSpec("DR-2", Role.recovery))
    assert "DR-2" in lab.discovered()["vmm-chi.contoso.com"]
