"""simcore.pki: issuing with trustme + cryptography, validating on a virtual clock.

The central properties inject generated combinations of defects into otherwise
valid chains and require ``validate`` to report exactly the injected set.
CAs are created once per module (key generation is the slow part) and leaves
use ECDSA unless the key type is what is being tested.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from hypothesis import assume, given
from hypothesis import strategies as st

from simcore.pki import (
    CertificateAuthority,
    CertificateRequestError,
    CrlRevocationSource,
    Eku,
    IssuedCertificate,
    PkiError,
    Reason,
    Validation,
    hostname_matches,
    validate,
)

UTC = timezone.utc
AT = datetime(2030, 6, 1, 12, 0, 0, tzinfo=UTC)  # the lab clock's "now" for most tests
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
PURPOSES = (Eku.SERVER_AUTH, Eku.CLIENT_AUTH, Eku.SERVER_AND_CLIENT)
ISSUED_EKUS = (Eku.SERVER_AUTH, Eku.CLIENT_AUTH, Eku.SERVER_AND_CLIENT, Eku.NONE)


# ---------------------------------------------------------------- fixtures
@dataclass
class Hierarchy:
    """A root and intermediates, each carrying one CA-level defect (or none)."""

    root: CertificateAuthority
    normal: CertificateAuthority
    expired: CertificateAuthority
    future: CertificateAuthority
    revoked: CertificateAuthority

    def intermediate(self, defect: Reason | None) -> CertificateAuthority:
        return {
            None: self.normal,
            Reason.EXPIRED: self.expired,
            Reason.NOT_YET_VALID: self.future,
            Reason.REVOKED: self.revoked,
        }[defect]


def _hierarchy(org: str) -> Hierarchy:
    root = CertificateAuthority.root(f"{org} Root")
    revoked = root.create_intermediate(f"{org} Revoked Issuing")
    root.revoke(revoked)
    return Hierarchy(
        root=root,
        normal=root.create_intermediate(f"{org} Issuing"),
        expired=root.create_intermediate(
            f"{org} Expired Issuing", not_before=AT - 3000 * DAY, not_after=AT - 1000 * DAY
        ),
        future=root.create_intermediate(
            f"{org} Future Issuing", not_before=AT + 1000 * DAY, not_after=AT + 3000 * DAY
        ),
        revoked=revoked,
    )


@dataclass
class Lab:
    trusted: Hierarchy
    rogue: Hierarchy  # never in trust_roots
    unrelated: CertificateAuthority  # trusted, but issues nothing in the scenarios


@pytest.fixture(scope="module")
def lab() -> Lab:
    return Lab(_hierarchy("Contoso"), _hierarchy("Fabrikam"), CertificateAuthority.root("Unrelated"))


def _leaf(ca: CertificateAuthority, name: str = "hv1.contoso.com", **kw: object) -> IssuedCertificate:
    kw.setdefault("sans", [name])
    kw.setdefault("not_before", AT - DAY)
    kw.setdefault("not_after", AT + DAY)
    kw.setdefault("key_type", "ecdsa")
    return ca.issue(name, **kw)  # type: ignore[arg-type]


def _check(chain: object, lab: Lab, **kw: object) -> Validation:
    kw.setdefault("purpose", Eku.SERVER_AND_CLIENT)
    kw.setdefault("expected_name", "hv1.contoso.com")
    kw.setdefault("trust_roots", [lab.trusted.root])
    kw.setdefault("at", AT)
    return validate(chain, **kw)  # type: ignore[arg-type]


# -------------------------------------------------------------- strategies
labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
# SAN names live under "<l>.<l>.example" (always 4 labels); mismatching names are
# built so that they can never be generated as a SAN.
domains = st.builds(lambda a, b: f"{a}.{b}.example", labels, labels)
san_entries = st.one_of(
    st.builds(lambda h, d: f"{h}.{d}", labels, domains),
    st.builds(lambda d: f"*.{d}", domains),
    st.integers(0, 255).map(lambda n: f"10.0.0.{n}"),
)
seconds = st.integers(min_value=0, max_value=400 * 86400)


def _instance_of(draw: st.DrawFn, san: str) -> str:
    """A concrete name that ``san`` covers, in random letter case."""
    name = draw(labels) + san[1:] if san.startswith("*.") else san
    return name.upper() if draw(st.booleans()) else name


@st.composite
def names(draw: st.DrawFn, mismatch: bool) -> tuple[str, list[str], str | None]:
    """(subject CN, SAN list, expected_name); expected matches iff not ``mismatch``."""
    sans = draw(st.lists(san_entries, max_size=4, unique=True))
    if sans:
        subject = draw(st.one_of(st.just(""), st.builds(lambda h, d: f"{h}.{d}", labels, domains)))
        candidates = sans
    else:
        subject = draw(st.builds(lambda h, d: f"{h}.{d}", labels, domains))
        candidates = [subject]
    if not mismatch:
        if draw(st.integers(0, 4)) == 0:
            return subject, sans, None
        return subject, sans, _instance_of(draw, draw(st.sampled_from(candidates)))
    wildcards = [s[2:] for s in candidates if s.startswith("*.")]
    options = [
        st.builds(lambda h: f"{h}.mismatch.test", labels),
        st.integers(1, 254).map(lambda n: f"192.0.2.{n}"),
    ]
    if wildcards:  # subtle: bare wildcard domain, or two labels below it
        options.append(st.sampled_from(wildcards))
        options.append(st.builds(lambda a, b, d: f"{a}.{b}.{d}", labels, labels, st.sampled_from(wildcards)))
    return subject, sans, draw(st.one_of(options))


@dataclass
class Scenario:
    defects: frozenset[Reason]
    chain: list[x509.Certificate]
    purpose: Eku
    expected_name: str | None
    trust_roots: list[object]

    def run(self, lab: Lab, **kw: object) -> Validation:
        return validate(
            self.chain,
            purpose=self.purpose,
            expected_name=self.expected_name,
            trust_roots=self.trust_roots,  # type: ignore[arg-type]
            at=AT,
            revocation=[lab.trusted.root, lab.rogue.root],
            **kw,  # type: ignore[arg-type]
        )


@st.composite
def scenarios(draw: st.DrawFn, lab: Lab, defects: frozenset[Reason]) -> Scenario:
    """A chain exhibiting exactly ``defects`` and nothing else."""
    hierarchy = lab.rogue if Reason.UNTRUSTED_ROOT in defects else lab.trusted
    timed = sorted(defects & {Reason.EXPIRED, Reason.NOT_YET_VALID, Reason.REVOKED}, key=list(Reason).index)
    use_int = draw(st.booleans())
    on_int: Reason | None = None
    if Reason.EXPIRED in defects and Reason.NOT_YET_VALID in defects:
        use_int = True  # one leaf cannot be both: the intermediate carries one
        on_int = draw(st.sampled_from([Reason.EXPIRED, Reason.NOT_YET_VALID]))
    elif use_int and timed:
        on_int = draw(st.one_of(st.none(), st.sampled_from(timed)))
    on_leaf = set(timed) - {on_int}
    issuer = hierarchy.intermediate(on_int) if use_int else hierarchy.root

    if Reason.EXPIRED in on_leaf:
        not_after = AT - SECOND * draw(st.integers(1, 400 * 86400))
        not_before = not_after - SECOND * draw(st.integers(1, 400 * 86400))
    elif Reason.NOT_YET_VALID in on_leaf:
        not_before = AT + SECOND * draw(st.integers(1, 400 * 86400))
        not_after = not_before + SECOND * draw(st.integers(1, 400 * 86400))
    else:  # boundaries included: AT may equal not_before or not_after
        not_before, not_after = AT - SECOND * draw(seconds), AT + SECOND * draw(seconds)
        assume(not_after > not_before)

    purpose = draw(st.sampled_from(PURPOSES))
    fitting = [e for e in ISSUED_EKUS if e.oids and purpose.satisfied_by(set(e.oids))]
    unfit = [e for e in ISSUED_EKUS if e not in fitting]
    eku = draw(st.sampled_from(unfit if Reason.WRONG_EKU in defects else fitting))
    key_type, key_size = draw(
        st.sampled_from([("ecdsa", 224), ("ecdsa", 192), ("rsa", 1024)])
        if Reason.WEAK_KEY in defects
        else st.sampled_from([("ecdsa", 256), ("ecdsa", 384)])
    )
    subject, sans, expected = draw(names(mismatch=Reason.NAME_MISMATCH in defects))
    leaf = issuer.issue(
        subject, sans=sans, eku=eku, not_before=not_before, not_after=not_after,
        key_type=key_type, key_size=key_size,
    )
    if Reason.REVOKED in on_leaf:
        issuer.revoke(leaf)

    chain = list(leaf.chain)
    if Reason.BROKEN_CHAIN in defects:
        if use_int and draw(st.booleans()):  # misordered: root between leaf and intermediate
            chain = [chain[0], hierarchy.root.certificate, *chain[1:]]
        else:  # a clean CA cert of the same hierarchy that did not issue its predecessor
            chain.append(hierarchy.normal.certificate)
    elif draw(st.booleans()):
        chain.append(hierarchy.root.certificate)  # a self-signed top is fine if it is the anchor

    roots: list[object] = [draw(st.sampled_from([lab.trusted.root, lab.trusted.root.certificate]))]
    if draw(st.booleans()):
        roots.append(lab.unrelated)
    return Scenario(frozenset(defects), chain, purpose, expected, draw(st.permutations(roots)))


# ------------------------------------------------------------- properties
@pytest.mark.parametrize("defect", list(Reason), ids=lambda r: r.value)
@given(data=st.data())
def test_each_single_defect_is_reported_alone(lab: Lab, defect: Reason, data: st.DataObject) -> None:
    scenario = data.draw(scenarios(lab, frozenset({defect})))
    result = scenario.run(lab)
    assert set(result.reasons) == {defect}, result.details
    assert not result and result.reason is defect and not result.ok


@given(data=st.data(), defects=st.sets(st.sampled_from(list(Reason)), min_size=2))
def test_combined_defects_are_reported_exactly(lab: Lab, data: st.DataObject, defects: set[Reason]) -> None:
    scenario = data.draw(scenarios(lab, frozenset(defects)))
    result = scenario.run(lab)
    assert set(result.reasons) == defects, result.details
    assert list(result.reasons) == sorted(defects, key=list(Reason).index)
    assert result.reason is result.reasons[0]
    unchecked = scenario.run(lab, check_revocation=False)
    assert set(unchecked.reasons) == defects - {Reason.REVOKED}


@given(data=st.data())
def test_generated_valid_certificates_are_accepted(lab: Lab, data: st.DataObject) -> None:
    scenario = data.draw(scenarios(lab, frozenset()))
    result = scenario.run(lab)
    assert result.ok and bool(result) and result.reason is None and result.reasons == (), result.details
    assert scenario.run(lab) == result  # deterministic


@given(
    not_before=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)),
    lifetime=st.integers(1, 20 * 365 * 86400),
    offset_minutes=st.integers(-14 * 60, 14 * 60),
)
def test_validity_is_exact_at_one_second_boundaries(
    lab: Lab, not_before: datetime, lifetime: int, offset_minutes: int
) -> None:
    not_before = not_before.replace(microsecond=0)
    not_after = not_before + SECOND * lifetime
    leaf = _leaf(lab.trusted.normal, not_before=not_before, not_after=not_after)
    zone = timezone(timedelta(minutes=offset_minutes))  # the same instant in any zone

    def at(when: datetime) -> tuple[Reason, ...]:
        return _check(leaf, lab, at=when.astimezone(zone)).reasons

    assert at(not_before) == () and at(not_after) == ()
    assert at(not_after + SECOND) == (Reason.EXPIRED,)
    assert at(not_after + timedelta(microseconds=1)) == (Reason.EXPIRED,)
    assert at(not_before - SECOND) == (Reason.NOT_YET_VALID,)


@given(
    not_before=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)),
    back=st.integers(0, 10**7),
)
def test_refused_validity_windows_issue_nothing(lab: Lab, not_before: datetime, back: int) -> None:
    ca = lab.trusted.normal
    before = len(ca.issued)
    with pytest.raises(CertificateRequestError):
        _leaf(ca, not_before=not_before, not_after=not_before - SECOND * back)
    assert len(ca.issued) == before


def test_sub_second_validity_is_truncated(lab: Lab) -> None:
    leaf = _leaf(lab.trusted.normal, not_before=AT + timedelta(microseconds=900_000),
                 not_after=AT + 2 * SECOND + timedelta(microseconds=500))
    assert leaf.not_before == AT and leaf.not_after == AT + 2 * SECOND
    with pytest.raises(CertificateRequestError):  # both truncate to the same second
        _leaf(lab.trusted.normal, not_before=AT, not_after=AT + timedelta(microseconds=999_999))


@given(
    chain=st.lists(st.sampled_from(["junk", None, b"\x30\x00", 42, object()]) | st.just("cert"), max_size=4),
)
def test_validate_never_raises_on_malformed_chains(lab: Lab, chain: list[object]) -> None:
    cert = lab.trusted.normal.certificate
    items = [cert if c == "cert" else c for c in chain]
    result = _check(items, lab)
    if not items or any(not isinstance(i, x509.Certificate) for i in items):
        assert result.reasons == (Reason.BROKEN_CHAIN,)


def test_empty_and_garbage_chains_are_broken(lab: Lab) -> None:
    chains: list[object] = [[], (), None, "not a chain", b"", 7]
    for chain in chains:
        assert _check(chain, lab).reasons == (Reason.BROKEN_CHAIN,)


# --------------------------------------------------------------- names
WILDCARD_TABLE = [
    ("*.contoso.com", "hv1.contoso.com", True),
    ("*.contoso.com", "HV1.Contoso.COM", True),
    ("*.CONTOSO.com", "hv1.contoso.com.", True),
    ("*.contoso.com", "a.b.contoso.com", False),
    ("*.contoso.com", "contoso.com", False),
    ("*.contoso.com", ".contoso.com", False),
    ("*.contoso.com", "*.contoso.com", False),
    ("h*.contoso.com", "hv1.contoso.com", False),
    ("*hv1.contoso.com", "hv1.contoso.com", False),
    ("hv1.*.com", "hv1.contoso.com", False),
    ("*.*.com", "a.contoso.com", False),
    ("*.com", "contoso.com", False),
    ("*", "hv1", False),
    ("hv1.contoso.com", "hv1.contoso.com", True),
    ("hv1.contoso.com", "HV1.CONTOSO.COM", True),
    ("hv1.contoso.com", "hv2.contoso.com", False),
    ("hv1.contoso.com", "hv1.contoso.com.evil", False),
    ("hv1.contoso.com", "", False),
    ("", "hv1.contoso.com", False),
    ("10.0.0.1", "10.0.0.1", True),
    ("*.0.0.1", "10.0.0.1", False),
]


@pytest.mark.parametrize(("pattern", "host", "matches"), WILDCARD_TABLE)
def test_wildcard_rules(pattern: str, host: str, matches: bool) -> None:
    assert hostname_matches(pattern, host) is matches


@pytest.mark.parametrize(("pattern", "host", "matches"), [r for r in WILDCARD_TABLE if r[0] and r[1]])
def test_wildcard_rules_through_validate(lab: Lab, pattern: str, host: str, matches: bool) -> None:
    leaf = _leaf(lab.trusted.normal, "", sans=[pattern])
    assert _check(leaf, lab, expected_name=host).reasons == (() if matches else (Reason.NAME_MISMATCH,))


def test_common_name_counts_only_without_san(lab: Lab) -> None:
    no_san = _leaf(lab.trusted.normal, "hv1.contoso.com", sans=[])
    assert _check(no_san, lab).ok
    other_san = _leaf(lab.trusted.normal, "hv1.contoso.com", sans=["hv2.contoso.com"])
    assert _check(other_san, lab).reasons == (Reason.NAME_MISMATCH,)
    ip_only = _leaf(lab.trusted.normal, "hv1.contoso.com", sans=["127.0.0.1"])
    assert _check(ip_only, lab).reasons == (Reason.NAME_MISMATCH,)
    assert _check(ip_only, lab, expected_name="127.0.0.1").ok
    assert _check(ip_only, lab, expected_name=None).ok


# ---------------------------------------------------------------- EKU / keys
def test_eku_policy(lab: Lab) -> None:
    bare = _leaf(lab.trusted.normal, eku=Eku.NONE)
    with pytest.raises(x509.ExtensionNotFound):
        bare.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert _check(bare, lab).reasons == (Reason.WRONG_EKU,)
    assert _check(bare, lab, require_eku_extension=False).ok
    assert _check(bare, lab, purpose=Eku.NONE).ok
    server = _leaf(lab.trusted.normal, eku=Eku.SERVER_AUTH)
    assert _check(server, lab, purpose=Eku.SERVER_AUTH).ok
    assert _check(server, lab, purpose=Eku.SERVER_AND_CLIENT).reasons == (Reason.WRONG_EKU,)
    assert _check(server, lab, purpose=Eku.CLIENT_AUTH, require_eku_extension=False).reasons == (Reason.WRONG_EKU,)


def test_rsa_keys(lab: Lab) -> None:
    strong = _leaf(lab.trusted.normal, key_type="rsa")  # default 2048
    assert strong.private_key.key_size == 2048 and _check(strong, lab).ok
    weak = _leaf(lab.trusted.normal, key_type="rsa", key_size=1024)
    assert _check(weak, lab).reasons == (Reason.WEAK_KEY,)
    rsa_root = CertificateAuthority.root("RSA Root", key_type="rsa")
    assert _check(_leaf(rsa_root), lab, trust_roots=[rsa_root]).ok


def test_weak_keys_anywhere_in_the_path(lab: Lab) -> None:
    key = ec.generate_private_key(ec.SECP224R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Weak Root")])
    weak_root = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(3).not_valid_before(AT - DAY).not_valid_after(AT + DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hv1.contoso.com")]))
        .issuer_name(name).public_key(leaf_key.public_key()).serial_number(4)
        .not_valid_before(AT - DAY).not_valid_after(AT + DAY)
        .add_extension(x509.ExtendedKeyUsage(list(Eku.SERVER_AND_CLIENT.oids)), critical=False)
        .sign(key, hashes.SHA256())
    )
    assert _check([leaf], lab, trust_roots=[weak_root]).reasons == (Reason.WEAK_KEY,)
    assert _check([leaf, weak_root], lab, trust_roots=[weak_root]).reasons == (Reason.WEAK_KEY,)


BAD_REQUESTS = [
    pytest.param({"subject": "", "sans": []}, id="empty-subject-no-sans"),
    pytest.param({"sans": [""]}, id="empty-san"),
    pytest.param({"sans": [" hv1.contoso.com"]}, id="san-with-space"),
    pytest.param({"sans": "hv1.contoso.com"}, id="sans-as-str"),
    pytest.param({"sans": ["hvé.contoso.com"]}, id="non-ascii-san"),
    pytest.param({"subject": "x" * 65}, id="cn-too-long"),
    pytest.param({"not_after": AT - DAY}, id="not-after-before-not-before"),
    pytest.param({"not_after": AT - DAY + SECOND / 2}, id="equal-after-truncation"),
    pytest.param({"not_before": datetime(2030, 1, 1)}, id="naive-not-before"),
    pytest.param({"key_size": 512, "key_type": "rsa"}, id="rsa-512"),
    pytest.param({"key_size": 1000, "key_type": "rsa"}, id="rsa-1000"),
    pytest.param({"key_size": 255, "key_type": "ecdsa"}, id="ec-255"),
    pytest.param({"key_type": "dsa"}, id="dsa"),
    pytest.param({"key_type": "ed25519"}, id="ed25519"),
    pytest.param({"eku": "server"}, id="eku-not-enum"),
]


@pytest.mark.parametrize("overrides", BAD_REQUESTS)
def test_bad_requests_raise_and_issue_nothing(lab: Lab, overrides: dict[str, object]) -> None:
    ca = lab.trusted.normal
    request: dict[str, object] = {"subject": "hv1.contoso.com", "sans": ["hv1.contoso.com"],
                                  "not_before": AT - DAY, "not_after": AT + DAY, "key_type": "ecdsa"}
    request.update(overrides)
    before = len(ca.issued)
    with pytest.raises(CertificateRequestError) as info:
        ca.issue(request.pop("subject"), **request)  # type: ignore[arg-type]
    assert isinstance(info.value, PkiError) and isinstance(info.value, ValueError)
    assert len(ca.issued) == before


def test_empty_subject_with_sans_is_fine(lab: Lab) -> None:
    leaf = _leaf(lab.trusted.normal, "", sans=["hv1.contoso.com"])
    assert leaf.subject == "" and leaf.sans == ("hv1.contoso.com",)
    assert _check(leaf, lab).ok


# ---------------------------------------------------------- chain linkage
def test_impostor_issuer_with_same_name_breaks_the_chain(lab: Lab) -> None:
    leaf = _leaf(lab.trusted.normal)
    key = ec.generate_private_key(ec.SECP256R1())
    name = lab.trusted.normal.certificate.subject
    impostor = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(AT - DAY).not_valid_after(AT + DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    result = _check([leaf.certificate, impostor], lab, trust_roots=[lab.trusted.root, impostor])
    assert result.reasons == (Reason.BROKEN_CHAIN,)


def test_a_leaf_cannot_act_as_issuer(lab: Lab) -> None:
    parent = _leaf(lab.trusted.normal, "parent.contoso.com")
    key = ec.generate_private_key(ec.SECP256R1())
    child = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hv1.contoso.com")]))
        .issuer_name(parent.certificate.subject).public_key(key.public_key()).serial_number(2)
        .not_valid_before(AT - DAY).not_valid_after(AT + DAY)
        .add_extension(x509.ExtendedKeyUsage(list(Eku.SERVER_AND_CLIENT.oids)), critical=False)
        .sign(parent.private_key, hashes.SHA256())
    )
    assert _check([child, *parent.chain], lab).reasons == (Reason.BROKEN_CHAIN,)


def test_intermediate_as_trust_anchor_and_chain_shapes(lab: Lab) -> None:
    ca = lab.trusted.normal
    leaf = _leaf(ca)
    assert leaf.chain == (leaf.certificate, ca.certificate) and ca.chain == (ca.certificate,)
    assert lab.trusted.root.chain == ()
    assert _check(leaf, lab, trust_roots=[ca]).ok
    assert _check([leaf.certificate], lab).reasons == (Reason.UNTRUSTED_ROOT,)
    assert _check(leaf, lab, trust_roots=[]).reasons == (Reason.UNTRUSTED_ROOT,)
    deep = ca.create_intermediate("Deep Issuing")
    deep_leaf = _leaf(deep)
    assert deep_leaf.chain == (deep_leaf.certificate, deep.certificate, ca.certificate)
    assert _check(deep_leaf, lab).ok


def test_the_trust_anchor_itself_must_be_in_its_validity_window(lab: Lab) -> None:
    root = CertificateAuthority.root("Short Root", not_before=AT - 10 * DAY, not_after=AT + 10 * DAY)
    assert root.certificate.not_valid_after_utc == AT + 10 * DAY
    leaf = _leaf(root.create_intermediate("Short Issuing"), not_before=AT - 100 * DAY, not_after=AT + 100 * DAY)
    assert _check(leaf, lab, trust_roots=[root]).ok
    assert _check(leaf, lab, trust_roots=[root], at=AT + 10 * DAY).ok
    assert _check(leaf, lab, trust_roots=[root], at=AT + 10 * DAY + SECOND).reasons == (Reason.EXPIRED,)
    assert _check(leaf, lab, trust_roots=[root], at=AT - 11 * DAY).reasons == (Reason.NOT_YET_VALID,)
    with pytest.raises(CertificateRequestError):
        CertificateAuthority.root("Backwards Root", not_before=AT, not_after=AT)


# ------------------------------------------------------------- revocation
def test_revocation_bookkeeping_and_crl(lab: Lab) -> None:
    ca = lab.trusted.root.create_intermediate("CRL Issuing")
    leaf, other = _leaf(ca), _leaf(ca)
    assert not ca.is_revoked(leaf) and not lab.trusted.root.is_revoked(leaf)
    ca.revoke(leaf, at=AT)
    ca.revoke(leaf)  # idempotent
    assert ca.is_revoked(leaf) and lab.trusted.root.is_revoked(leaf.certificate)
    assert not ca.is_revoked(other) and not ca.is_revoked("junk")
    assert ca.revoked_serials == {leaf.serial_number}
    with pytest.raises(PkiError):
        lab.rogue.normal.revoke(leaf)  # did not issue it
    with pytest.raises(PkiError):
        ca.revoke(ca)  # a CA does not revoke itself

    crl = ca.crl(last_update=AT)
    assert crl.is_signature_valid(ca.certificate.public_key())  # type: ignore[arg-type]
    entry = crl.get_revoked_certificate_by_serial_number(leaf.serial_number)
    assert entry is not None and entry.revocation_date_utc == AT
    by_crl = CrlRevocationSource([crl])
    as_cert = [lab.trusted.root.certificate]  # a bare cert is not a revocation source
    assert _check(leaf, lab, trust_roots=as_cert).ok
    assert _check(leaf, lab, trust_roots=as_cert, revocation=by_crl).reasons == (Reason.REVOKED,)
    assert _check(leaf, lab, revocation=by_crl, check_revocation=False).ok
    assert _check(other, lab, revocation=[by_crl]).ok


# ----------------------------------------------------------------- export
def test_identity_fields(lab: Lab) -> None:
    leaf = _leaf(lab.trusted.normal, sans=["hv1.contoso.com", "*.replica.contoso.com", "10.1.2.3"])
    assert leaf.subject == "hv1.contoso.com"
    assert leaf.sans == ("hv1.contoso.com", "*.replica.contoso.com", "10.1.2.3")
    digest = leaf.certificate.fingerprint(hashes.SHA1()).hex()
    assert leaf.thumbprint == digest.upper() and len(leaf.thumbprint) == 40


@pytest.mark.parametrize("password", [None, b"P@ssw0rd"])
def test_pfx_round_trip(lab: Lab, password: bytes | None) -> None:
    leaf = _leaf(lab.trusted.normal)
    loaded = IssuedCertificate.from_pfx(leaf.to_pfx(password), password)
    assert loaded.chain == leaf.chain and loaded.thumbprint == leaf.thumbprint
    assert loaded.key_pem() == leaf.key_pem()
    assert _check(loaded, lab).ok
    if password:
        with pytest.raises(PkiError):
            IssuedCertificate.from_pfx(leaf.to_pfx(password), b"wrong")


def test_pfx_chain_is_reordered_leaf_first(lab: Lab) -> None:
    deep = lab.trusted.normal.create_intermediate("PFX Deep")
    leaf = _leaf(deep)
    shuffled = pkcs12.serialize_key_and_certificates(
        b"x", leaf.private_key, leaf.certificate, list(reversed(leaf.chain[1:])),
        serialization.NoEncryption(),
    )
    assert IssuedCertificate.from_pfx(shuffled).chain == leaf.chain


@pytest.mark.parametrize("key_type", ["ecdsa", "rsa"])
def test_real_ssl_accepts_exported_material(lab: Lab, tmp_path: Path, key_type: str) -> None:
    """No sockets: an in-memory TLS handshake between two real SSLContexts."""
    tmp = tmp_path
    leaf = lab.trusted.normal.issue(
        "hv1.contoso.com", sans=["hv1.contoso.com"], key_type=key_type,
        not_before=datetime(2000, 1, 1, tzinfo=UTC), not_after=datetime(2999, 1, 1, tzinfo=UTC),
    )
    leaf.write_pem(tmp / "chain.pem", tmp / "key.pem")
    leaf.write_pem(tmp / "combined.pem")
    lab.trusted.root.write_pem(tmp / "root.pem")
    assert (tmp / "root.pem").read_bytes() == lab.trusted.root.cert_pem()

    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp / "chain.pem", tmp / "key.pem")
    ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(tmp / "combined.pem")
    client = ssl.create_default_context()
    client.load_verify_locations(cadata=lab.trusted.root.cert_pem().decode())
    ssl.create_default_context(cafile=str(tmp / "root.pem"))
    _handshake(client, server, "hv1.contoso.com")
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(client, server, "hv2.contoso.com")


def _handshake(client_ctx: ssl.SSLContext, server_ctx: ssl.SSLContext, hostname: str) -> None:
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname=hostname)
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(20):
        for side, obj, out, peer_in in (("client", client, c_out, s_in), ("server", server, s_out, c_in)):
            if not done[side]:
                try:
                    obj.do_handshake()
                    done[side] = True
                except ssl.SSLWantReadError:
                    pass
            peer_in.write(out.read())
        if all(done.values()):
            return
    raise AssertionError("handshake did not finish")
