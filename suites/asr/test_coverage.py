"""The route table is the SDKs' table, every operation is routed, and the coverage file is current."""

from __future__ import annotations

import json

import pytest

from asr_emulator import AsrService, HttpRequest
from asr_emulator._coverage import COVERAGE_PATH, render
from asr_emulator.routing import _generate
from asr_emulator.routing._generate import default_specs_path
from asr_emulator.routing.table import OPERATIONS
from drlab.azure_transport import DEFAULT_SUBSCRIPTION

from .conftest import RG, VAULT


def test_committed_coverage_file_is_current():
    assert COVERAGE_PATH.read_text() == render(), "run: python -m asr_emulator._coverage"


def test_operation_table_is_generated_from_the_specs_and_the_vault_wheel():
    generated = _generate.render(default_specs_path())
    assert (_generate.Path(_generate.__file__).with_name("_optable_data.py")).read_text() == generated, \
        "run: python -m asr_emulator.routing._generate"
    specs = json.loads(default_specs_path().read_text())
    assert sum(1 for op in OPERATIONS if op.sdk == "asr") == len(specs["operations"]) == 154


def _url(spec) -> str:
    names = {"subscriptionId": DEFAULT_SUBSCRIPTION, "resourceGroupName": RG, "resourceName": VAULT, "vaultName": VAULT}
    path = spec.path
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + names.get(path[start + 1:end], "x1") + path[end + 1:]
    return f"https://management.azure.com{path}?api-version={spec.api_version}"


@pytest.mark.parametrize("spec", OPERATIONS, ids=[f"{op.sdk}:{op.operation_id}:{op.http_method}" for op in OPERATIONS])
def test_every_operation_is_routed_and_unimplemented_ones_name_themselves(sim, spec):
    service = AsrService(sim)
    service.create_vault(DEFAULT_SUBSCRIPTION, RG, VAULT)
    route = service.router.match(spec.http_method, [s for s in _url(spec).split("?")[0].split("/")[3:] if s]).route
    assert route.spec == spec
    response = service.handle(HttpRequest(spec.http_method, _url(spec), {"Authorization": "Bearer t"}, b"{}"))
    if route.handler is None:
        body = json.loads(response.body)
        assert response.status == 501 and body["error"]["code"] == "NotImplemented"
        assert spec.sdk_name in body["error"]["message"] and spec.operation_id in body["error"]["message"]
    else:
        assert response.status < 500
