"""ARM's resource-name rules for the names a client chooses in a PUT path.

Sources (cited where each rule is applied):

* ARM RPC v1.0, Resource API Reference, "Arguments for CRUD on Resource" (github.com/Azure/
  azure-resource-manager-rpc, ``v1.0/resource-api-reference.md``): a resource name "cannot include
  '<', '>', '%', '&', ':', '\\', '?', '/' OR any control characters. The max length is 260
  characters. All other characters are allowed. The RP is expected to be more restrictive"; a
  resource group name is alphanumeric (``Char.IsLetterOrDigit``), '-', '_', '(', ')' and '.', and
  "cannot end with '.'".
* Naming rules and restrictions for Azure resources (learn.microsoft.com/azure/azure-resource-manager/
  management/resource-name-rules): "Don't use # in a resource name" (it interferes with URL
  parsing); ``Microsoft.RecoveryServices/vaults``: 2-50 characters, alphanumerics and hyphens, start
  with a letter; resource groups: 1-90 characters.

The ``replication*`` resources' own rules are not published: they get ARM's generic rule (policy).
A name is checked after percent-decoding, so ``a%2Fb`` is the name ``a/b`` and is refused for its '/'.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..errors import InvalidResourceName
from ..routing.table import OperationSpec
from .body import echo

__all__ = ["NameRule", "GENERIC_RULE", "VAULT_RULE", "RESOURCE_GROUP_RULE", "check_put_names"]

_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class NameRule:
    """One rule: a length range, a test per character, optional first/last character tests, and the
    rule as the error message states it."""

    what: str
    min_length: int
    max_length: int
    statement: str
    forbidden: str = ""
    allowed: str | None = None  # None: any character not forbidden (control characters never)
    letters_digits_allowed: bool = False  # with ``allowed``: Unicode letters and digits too
    first_is_letter: bool = False
    last_not: str = ""

    def _char_ok(self, char: str) -> bool:
        if unicodedata.category(char).startswith("C") or char in self.forbidden:
            return False
        if self.allowed is None:
            return True
        if self.letters_digits_allowed and char.isalnum():
            return True
        return char in self.allowed

    def check(self, name: str, target: str) -> None:
        """Refuse ``name`` (400 ``InvalidResourceName``, the rule in the message) unless it keeps the rule."""
        ok = (self.min_length <= len(name) <= self.max_length and all(self._char_ok(c) for c in name)
              and (not self.first_is_letter or (name[:1].isascii() and name[:1].isalpha()))
              and not (self.last_not and name[-1:] in self.last_not))
        if not ok:
            raise InvalidResourceName(f"The {self.what} name '{echo(name)}' is invalid: {self.statement}", target=target)


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

#: ARM RPC resourceName (260 characters; none of ``<>%&:\\?/``, no control character) plus '#'
#: (resource-name-rules: "Don't use #").
GENERIC_RULE = NameRule(
    "resource", 1, 260, "a name is 1 to 260 characters and cannot contain '<', '>', '%', '&', ':', '\\', '?', "
    "'/', '#' or control characters (ARM resource name rules).", forbidden="<>%&:\\?/#")

#: resource-name-rules, Microsoft.RecoveryServices: vaults are 2-50 alphanumerics and hyphens,
#: starting with a letter.
VAULT_RULE = NameRule(
    "vault", 2, 50, "a vault name is 2 to 50 characters, letters, digits and hyphens only, and starts with a "
    "letter (ARM resource name rules, Microsoft.RecoveryServices/vaults).", allowed=_ALNUM + "-",
    first_is_letter=True)

#: ARM RPC resourceGroupName (letters or digits, '-', '_', '(', ')', '.'; not ending in '.') with
#: the 90-character length of resource-name-rules.
RESOURCE_GROUP_RULE = NameRule(
    "resource group", 1, 90, "a resource group name is 1 to 90 characters, letters, digits, '-', '_', '(', ')' "
    "and '.' only, and cannot end with '.' (ARM resource name rules).", allowed="-_().",
    letters_digits_allowed=True, last_not=".")


def check_put_names(spec: OperationSpec, params: dict[str, str]) -> None:
    """For a PUT, the name it creates (the path's last parameter) keeps its rule; creating a vault
    also names its resource group, which keeps the resource-group rule."""
    if spec.http_method != "PUT":
        return
    parameters = _PARAMETER.findall(spec.path)
    if not parameters or not spec.path.endswith("}"):
        return  # a fixed name (``…/extendedInformation/vaultExtendedInfo``): the client chose nothing
    created = parameters[-1]
    if spec.sdk == "vaults" and created == "vaultName":
        RESOURCE_GROUP_RULE.check(params["resourceGroupName"], "resourceGroupName")
        VAULT_RULE.check(params[created], created)
    else:
        GENERIC_RULE.check(params[created], created)
