"""The pytest plugin (``pytest11: drlab``), exercised in sub-pytests with ``pytester``."""

from __future__ import annotations

import pytest

import drlab.lab  # noqa: F401 - loaded here, before the in-process sub-pytests: pytester drops the modules a
# run imports, and a second import of cryptography's bindings would no longer match the first's classes

pytest_plugins = ["pytester"]


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(source)
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio", "--strict-markers", *args)


def test_the_marker_is_registered_with_its_signature(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("-p", "no:asyncio", "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.drlab(seed=0, **lab_options): build the `lab` fixture*"])


def test_default_lab_and_clients(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        def test_default(lab, asr_client, vault_client):
            assert lab.seed == 0 and len(lab.primary.hosts) == 2
            fabrics = list(asr_client.replication_fabrics.list(lab.resource_group, lab.vault_name))
            assert sorted(f.properties.friendly_name for f in fabrics) == ["vmm-chi.contoso.com", "vmm-ny.contoso.com"]
            assert vault_client.vaults.get(lab.resource_group, lab.vault_name).name == "vault1"
    """)
    result.assert_outcomes(passed=1)


def test_the_closest_marker_configures_the_lab(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import pytest
        from drlab import CloudSpec

        pytestmark = pytest.mark.drlab(seed=3)

        def test_module_marker(lab):
            assert lab.seed == 3 and len(lab.recovery.hosts) == 2

        @pytest.mark.drlab(seed=9, hosts_per_site=3, vms_per_cloud=0)
        def test_own_marker_wins(lab):
            assert (lab.seed, len(lab.recovery.hosts), len(lab.primary.vms)) == (9, 3, 0)

        @pytest.mark.drlab(clouds=[CloudSpec("Only"), CloudSpec("Only-DR", "recovery")])
        def test_specs(lab):
            assert lab.cloud_names() == ["Only", "Only-DR"]
    """)
    result.assert_outcomes(passed=3)


def test_drlab_options_can_be_overridden_in_a_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import pytest

        @pytest.fixture
        def drlab_options():
            return {"seed": 42, "hosts_per_site": 1}
    """)
    result = run(pytester, """
        def test_overridden(lab):
            assert (lab.seed, len(lab.primary.hosts)) == (42, 1)
    """)
    result.assert_outcomes(passed=1)


def test_bad_marker_arguments_are_errors_naming_them(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import pytest

        @pytest.mark.drlab(hosts_per_site=0)
        def test_zero_hosts(lab):
            pass

        @pytest.mark.drlab(7)
        def test_positional(lab):
            pass
    """)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*LabConfigError: hosts_per_site must be an int >= 1, got 0*",
                                 "*drlab takes keyword arguments only*"])


def test_a_failed_test_reports_the_lab_seed_and_history(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import pytest

        @pytest.mark.drlab(seed=5)
        def test_fails(lab):
            lab.advance(60)
            assert False, "boom"

        def test_passes(lab):
            pass
    """, "-rA")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*- drlab history -*", "seed=5", '{"details":*"op":"provider.register"*'])
    assert result.stdout.str().count("drlab history") == 1  # the passing test adds nothing


def test_a_consumer_project_can_select_each_hypothesis_profile(pytester: pytest.Pytester) -> None:
    """The profiles are the plugin's, so a project without this repository's conftest has them, by
    ``--hypothesis-profile`` or ``HYPOTHESIS_PROFILE`` (a subprocess: in this process the suite's own
    run registered them already); an unknown one is a usage error."""
    pytester.makepyfile("""
        from hypothesis import given, settings, strategies as st
        from drlab.plugin import session_budget

        @given(st.integers())
        def test_profile(n):
            assert settings().max_examples == {"dev": 30, "ci": 25, "soak": 2000}[settings._current_profile]

        def test_only_soak_has_a_time_budget(request):
            bound = session_budget(request.config)
            assert (bound and bound.seconds) == {"ci": None, "soak": 3600}[settings._current_profile]
        """)
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:asyncio",
                                  "--hypothesis-profile=soak").assert_outcomes(passed=2)
    with pytest.MonkeyPatch.context() as patch:  # the subprocess inherits the environment
        patch.setenv("HYPOTHESIS_PROFILE", "ci")
        pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:asyncio").assert_outcomes(passed=2)
        patch.setenv("HYPOTHESIS_PROFILE", "nightly")
        refused = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio")
    assert refused.ret == pytest.ExitCode.USAGE_ERROR


def test_a_soak_run_stops_generating_once_its_time_budget_is_spent(pytester: pytest.Pytester) -> None:
    """``--drlab-budget`` (here tiny): a property that would run soak's 2,000 examples passes with the
    one that used the budget up, and a test due after it is skipped."""
    pytester.makepyfile("""
        from hypothesis import given, strategies as st
        from drlab import budget

        @given(st.integers())
        def test_a_long_property(n):
            while not budget.current.budget.spent():  # this example takes the whole budget
                pass

        @given(st.integers())
        def test_due_after_the_budget(n):
            raise AssertionError("never runs")
        """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:asyncio", "-rA",
                                           "--hypothesis-profile=soak", "--drlab-budget=0.5")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*- drlab budget -*", "stopped by the budget after 1 examples, all passed",
                                 "*SKIPPED*drlab budget of 0.5 s spent before this test started*"])


def test_the_budget_can_come_from_the_environment_and_a_bad_one_is_a_usage_error(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile("""
        from drlab.plugin import session_budget

        def test_budget(request):
            assert session_budget(request.config).seconds == 90
        """)
    monkeypatch.setenv("DRLAB_BUDGET", "90")
    run_in_process = ("-p", "no:cacheprovider", "-p", "no:asyncio")
    pytester.runpytest(*run_in_process).assert_outcomes(passed=1)
    monkeypatch.setenv("DRLAB_BUDGET", "soon")
    assert pytester.runpytest(*run_in_process).ret == pytest.ExitCode.USAGE_ERROR
    monkeypatch.delenv("DRLAB_BUDGET")
    refused = pytester.runpytest(*run_in_process, "--drlab-budget=-1")
    assert refused.ret == pytest.ExitCode.USAGE_ERROR
    refused.stderr.fnmatch_lines(["*the drlab budget must be seconds >= 0, got -1.0*"])


def test_the_async_client_fixture_runs_an_async_test_without_a_pytest_asyncio_warning(pytester: pytest.Pytester
                                                                                       ) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.asyncio
        async def test_async(asr_aio_client, lab):
            async with asr_aio_client as asr:
                fabrics = [f async for f in asr.replication_fabrics.list(lab.resource_group, lab.vault_name)]
                poller = await asr.replication_policies.begin_create(lab.resource_group, lab.vault_name, "p", {
                    "properties": {"providerSpecificInput": {"instanceType": "HyperVReplica2012R2",
                                                             "replicationPort": 8084, "allowedAuthenticationType": 2}}})
                policy = await poller.result()
            assert len(fabrics) == 2 and policy.name == "p"
            assert lab.now >= 1  # the poller's sleeps moved the lab clock, not the wall clock
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers", "-W", "error::DeprecationWarning")
    result.assert_outcomes(passed=1)
    output = result.stdout.str() + result.stderr.str()
    assert "PytestDeprecationWarning" not in output and "asyncio_default_fixture_loop_scope=function" in output


@pytest.mark.sockets
def test_the_served_lab_fixture_is_reachable_over_https(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import ssl
        import httpx
        import pytest

        @pytest.mark.drlab(seed=4, serve_options=["--time-mode", "auto"])
        def test_served(served_lab):
            context = ssl.create_default_context(cafile=served_lab.ca_bundle)
            url = (f"{served_lab.base_url}/subscriptions/{served_lab.subscription_id}/resourceGroups/"
                   f"{served_lab.resource_group}/providers/Microsoft.RecoveryServices/vaults/{served_lab.vault}/"
                   "replicationFabrics?api-version=2025-08-01")
            answer = httpx.get(url, verify=context, headers={"Authorization": "Bearer any"})
            assert answer.status_code == 200
            assert sorted(f["name"] for f in answer.json()["value"]) == sorted(served_lab.fabrics)
    """)
    result.assert_outcomes(passed=1)


def test_a_consumer_subclasses_the_dr_machine_and_adds_a_rule(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        from hypothesis import settings
        from hypothesis.stateful import rule

        from drlab.machines import ProtectionMachine

        class MyAutomation(ProtectionMachine):
            seen = 0

            @rule()
            def my_runbook_lists_the_jobs(self):
                jobs = list(self.book.asr.replication_jobs.list(self.book.rg, self.book.vault))
                assert all(job.properties.state in ("InProgress", "Succeeded", "Failed", "Cancelled") for job in jobs)
                MyAutomation.seen += 1

        MyAutomation.TestCase.settings = settings(max_examples=2, stateful_step_count=4, deadline=None, database=None)
        TestMine = MyAutomation.TestCase

        def test_the_rule_ran():
            assert MyAutomation.seen >= 0
    """)
    result.assert_outcomes(passed=2)


def test_a_checker_catches_a_deliberately_broken_lab_from_outside(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        from drlab import Role
        from drlab.checkers import ip_injection
        from drlab.runbook import Runbook
        from hyperv_fake import GuestNetworkConfiguration

        def test_broken(lab):
            book = Runbook.of(lab)
            book.create_policy()
            book.planned_failover(book.protect("Gold-VM1"))
            assert ip_injection(lab).ok
            replica = next(vm for h in lab.sites[Role.recovery].hosts for vm in h.vms if vm.name == "Gold-VM1")
            replica.guest.configure_network(replica.adapters[0].name, GuestNetworkConfiguration())  # lost its address
            verdict = ip_injection(lab)
            assert not verdict.ok and "not the injected" in str(verdict)
    """)
    result.assert_outcomes(passed=1)


def test_strategies_generate_labs_that_build_and_faults_that_heal(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        from hypothesis import given, settings, strategies as st

        from drlab import Lab
        from drlab.strategies import lab_topologies, replication_policies, site_faults

        @settings(max_examples=5, deadline=None, database=None)
        @given(lab_topologies(), replication_policies(), st.data())
        def test_labs_build(topology, policy, data):
            with Lab(**topology) as lab:
                asr = lab.azure_client()
                asr.replication_policies.begin_create(lab.resource_group, lab.vault_name, "p", {
                    "properties": {"providerSpecificInput": policy}}).result()
                rule = lab.faults.add(data.draw(site_faults(lab)))
                lab.advance(3_601)
                assert not rule.active_at(lab.now)  # it healed by itself
    """)
    result.assert_outcomes(passed=1)


def test_marker_faults_are_in_force_and_marker_checks_fail_a_broken_lab_at_teardown(pytester: pytest.Pytester
                                                                                    ) -> None:
    result = run(pytester, """
        import pytest
        from drlab import Role
        from drlab.runbook import Runbook
        from hyperv_fake import GuestNetworkConfiguration
        from simcore import FaultRule, Match, Partition

        CUT = FaultRule(Partition(), Match(src="vmm-chi", dst="asr", bidirectional=True), name="cut")

        @pytest.mark.drlab(seed=2, faults=[CUT])
        def test_faults(lab):
            assert [rule.name for rule in lab.faults.rules] == ["cut"] and CUT.active_at(lab.now)

        @pytest.mark.drlab(seed=11, checks=["data_loss", "ip_injection"])
        def test_broken_after_a_failover(lab):
            book = Runbook.of(lab)
            book.create_policy()
            book.planned_failover(book.protect("Gold-VM1"))
            replica = next(vm for h in lab.sites[Role.recovery].hosts for vm in h.vms if vm.name == "Gold-VM1")
            replica.guest.configure_network(replica.adapters[0].name, GuestNetworkConfiguration())

        @pytest.mark.drlab(seed=4)
        def test_fails(lab):
            assert lab.now < 0
    """)
    result.assert_outcomes(passed=2, failed=1, errors=1)
    output = result.stdout.str()
    assert "IP injection violated" in output and "not the injected" in output
    assert "replay: python -m pytest 'test_marker_faults_are_in_force_and_marker_checks_fail_a_broken_lab_at_teardown.py::test_fails'" in output


def test_the_certificate_trust_check_on_the_marker_passes_a_sound_lab_and_fails_a_broken_judge(
        pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        from datetime import timedelta

        import pytest
        from simcore.pki import Eku, Validation

        @pytest.mark.drlab(seed=2, checks=["certificate_trust"])
        def test_sound(lab):
            lab.advance(300)

        @pytest.mark.drlab(seed=2, checks=["certificate_trust"])
        def test_asr_accepts_an_expired_client_certificate(lab, monkeypatch):
            monkeypatch.setattr("asr_emulator.channel.service.judge_client_chain", lambda *_: Validation())
            provider = lab.providers[next(iter(lab.providers))]
            now = lab.service.sim.clock.utcnow()
            provider.store.credential = lab.service.channel.vault_ca(lab.vault).issue(
                "vmm.contoso.com", eku=Eku.CLIENT_AUTH, not_before=now - timedelta(days=30),
                not_after=now - timedelta(days=1), key_type="ecdsa")
            lab.advance(120)
    """)
    result.assert_outcomes(passed=2, errors=1)
    output = result.stdout.str()
    assert "certificate trust violated" in output and "[accepted-expired]" in output
