"""End to end over HTTPS: ``asr-harness serve --state DIR`` keeps its lab across restarts. A policy, a
cloud pairing, a network mapping, a protected item and their jobs made through the official SDK
survive SIGTERM (and an acknowledged write survives SIGKILL) and a restart on the same port; the
next job's name is new; a client's copy of the CA bundle still verifies; a corrupt or foreign state
is refused with one line on stderr."""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient

from drlab.azure_transport import FakeCredential
from drlab.runbook import Runbook
from drlab.serve_journal import JOURNAL_FILE
from drlab.serve_process import COMMAND, ServeProcess
from drlab.serve_tls import CA_KEY_NAME

pytestmark = pytest.mark.sockets

SEED = ("--seed", "21")


@contextlib.contextmanager
def runbook(process: ServeProcess, ca_bundle: str | None = None) -> Iterator[Runbook]:
    info = process.info
    with SiteRecoveryManagementClient(FakeCredential(), info.subscription_id, base_url=info.base_url,
                                      connection_verify=ca_bundle or info.ca_bundle, polling_interval=0) as client:
        yield Runbook(client, info.subscription_id, info.resource_group, info.vault,
                      {"primary": info.fabrics[0], "recovery": info.fabrics[1]})


def _jobs(book: Runbook) -> dict[str, str]:
    return {job.name: job.properties.scenario_name for job in book.asr.replication_jobs.list(book.rg, book.vault)}


def test_a_lab_survives_sigterm_and_a_restart_on_the_same_port_with_its_ca(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first = ServeProcess.start(*SEED, "--state", str(state))
    port = first.info.base_url.rsplit(":", 1)[1]
    with runbook(first) as book:
        book.create_policy()
        book.pair()
        book.map_poller().result()
        item = book.enable_poller("Gold-VM1").result().name
        jobs = _jobs(book)
    kept_bundle = tmp_path / "client-copy-of-ca.pem"
    shutil.copy(first.info.ca_bundle, kept_bundle)
    assert first.stop(signal.SIGTERM).returncode == 0
    assert (state / CA_KEY_NAME).stat().st_mode & 0o777 == 0o600

    second = ServeProcess.start(*SEED, "--state", str(state), "--port", port)
    assert second.info.base_url == first.info.base_url and second.info.fabrics == first.info.fabrics
    with runbook(second, str(kept_bundle)) as book:  # the client's old bundle still verifies the server
        assert book.asr.replication_policies.get(book.rg, book.vault, "pol1").properties.friendly_name == "pol1"
        fabric, gold = book.container("Gold")
        assert book.asr.replication_protection_container_mappings.get(book.rg, book.vault, fabric, gold,
                                                                       "pairing1").name == "pairing1"
        network_fabric, corp = book.network("primary", "Corp")
        assert book.asr.replication_network_mappings.get(book.rg, book.vault, network_fabric, corp, "map1")
        protected = book.asr.replication_protected_items.get(book.rg, book.vault, fabric, gold, item)
        assert protected.properties.friendly_name == "Gold-VM1"
        assert _jobs(book) == jobs
        book.create_policy("pol2")
        new = set(_jobs(book)) - set(jobs)
        assert len(new) == 1, "the job after the restart has a name no job had before"
    assert second.stop(signal.SIGTERM).returncode == 0


def test_an_acknowledged_write_survives_sigkill(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first = ServeProcess.start(*SEED, "--state", str(state))
    with runbook(first) as book:
        book.asr.replication_policies.begin_create(book.rg, book.vault, "quick", {"properties": {
            "providerSpecificInput": {"instanceType": "HyperVReplica2012R2", "replicationPort": 8084,
                                      "allowedAuthenticationType": 1}}}, polling=False)
        jobs = _jobs(book)
    first.stop(signal.SIGKILL)
    second = ServeProcess.start(*SEED, "--state", str(state))
    with runbook(second) as book:
        assert _jobs(book) == jobs and len(jobs) == 1
    assert second.stop(signal.SIGTERM).returncode == 0


def test_a_corrupt_state_is_refused_with_one_line(tmp_path: Path) -> None:
    """(Foreign formats, versions and seeds: suites/lab/test_serve_journal.py, the same message.)"""
    state = tmp_path / "state"
    state.mkdir()
    (state / JOURNAL_FILE).write_bytes(b"garbage\n")
    done = subprocess.run([COMMAND, "serve", *SEED, "--state", str(state)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "is not an asr-harness journal" in done.stderr
    assert done.stderr.startswith("asr-harness serve: error: --state: ")
