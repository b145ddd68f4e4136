"""The control API's endpoints for what recovery-plan actions run in a served lab (``CONTROL.md``
§Scripts and runbooks): declarative scripts on the VMM servers' library shares, declarative runbooks in
an Azure Automation account, and the automation jobs runbooks ran as (with the context each received).

Declarative only (a served lab runs no code a client sends): a script is ``scvmm_fake.DeclaredScript``
(or the text of a file, judged by its ``Write-Host``), a runbook ``asr_emulator.automation.DeclaredRunbook``.
Each handler checks the whole body before it changes anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asr_emulator.automation import DeclaredRunbook
from asr_emulator.errors import InvalidRequestContent
from asr_emulator.http import HttpRequest, HttpResponse
from asr_emulator.wire.call import json_response
from scvmm_fake import DeclaredScript, VmmError

from ._lab.spec import Role
from .control_wire import body_object, integer, number, query_params, string

if TYPE_CHECKING:
    from .lab import Lab

__all__ = ["put_script", "put_runbook", "runbook_jobs", "MAX_ACTION_SECONDS", "MAX_TEXT_CHARS"]

#: Policy: the longest a declared script or runbook may take (a day: a script times out at 600 s anyway).
MAX_ACTION_SECONDS = 86_400.0
#: Policy: the most characters of a declared output, error stream, exception or script text.
MAX_TEXT_CHARS = 65_536
_SCRIPT_FIELDS = ("path", "sites", "exitCode", "output", "stderr", "seconds", "text")
_RUNBOOK_FIELDS = ("account", "name", "output", "exception", "seconds")


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS:
        raise InvalidRequestContent(f"'{name}' must be a string of at most {MAX_TEXT_CHARS} characters.", target=name)
    return value


def _seconds(body: dict[str, Any]) -> float:
    return number(body.get("seconds", 0), "seconds", high=MAX_ACTION_SECONDS)


def _sites(body: dict[str, Any]) -> list[Role]:
    raw = body.get("sites", [role.value for role in Role])
    roles = {role.value: role for role in Role}
    if not isinstance(raw, list) or not raw or any(not isinstance(site, str) or site not in roles for site in raw):
        raise InvalidRequestContent("'sites' must be a non-empty list of: primary, recovery.", target="sites")
    return [roles[site] for site in dict.fromkeys(raw)]


def put_script(lab: Lab, request: HttpRequest) -> HttpResponse:
    """``POST /_harness/scripts``: place a declared script at ``path`` of each site's library share."""
    query_params(request, ())
    body = body_object(request, _SCRIPT_FIELDS)
    path = string(body.get("path"), "path", max_chars=400)
    sites = _sites(body)
    text = _text(body, "text")
    declared = body.keys() & {"exitCode", "output", "stderr", "seconds"}
    script = DeclaredScript(integer(body.get("exitCode", 0), "exitCode", low=-(2**31), high=2**31 - 1),
                            _text(body, "output"), _text(body, "stderr"), _seconds(body)) if declared else None
    try:
        lab.put_script(path, script, text=text, roles=sites)
    except VmmError as error:
        raise InvalidRequestContent(f"'path': {error}", target="path") from None
    share = lab.sites[sites[0]].vmm.default_library_share.find_script(path)
    assert share is not None
    return json_response(201, {"path": share.path, "sites": [site.value for site in sites],
                               "servers": [lab.sites[site].vmm.name for site in sites], "declared": script is not None})


def put_runbook(lab: Lab, request: HttpRequest) -> HttpResponse:
    """``POST /_harness/runbooks``: publish a declared runbook ``name`` in the Automation account ``account``."""
    query_params(request, ())
    body = body_object(request, _RUNBOOK_FIELDS)
    account = string(body.get("account", "drlab-automation"), "account", max_chars=50)
    name = string(body.get("name"), "name", max_chars=63)
    exception = body.get("exception")
    if exception is not None:
        exception = _text(body, "exception")
    runbook = DeclaredRunbook(_text(body, "output"), exception, _seconds(body))
    for what, value in (("account", account), ("name", name)):
        if "/" in value or not value.strip():
            raise InvalidRequestContent(f"'{what}' must hold more than spaces and no '/'.", target=what)
    runbook_id = lab.automation_account(account).register(name, runbook)
    return json_response(201, {"runbookId": runbook_id, "account": account, "name": name})


def runbook_jobs(lab: Lab, request: HttpRequest) -> HttpResponse:
    """``GET /_harness/runbooks/jobs``: every automation job, oldest first per account, accounts by name."""
    query_params(request, ())
    jobs = [job.to_json() for account in lab.service.automation.accounts for job in account.jobs]
    return json_response(200, {"jobs": jobs})
