"""TLS: the emulator served over HTTPS with a self-signed certificate. By default the modules refuse it with a
clear certificate error (and delete nothing); with `ca_bundle` pointing at the certificate, or with
`validate_certs: false`, the same cleanup runs."""

import datetime
import ipaddress
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from support import fault_matrix
from support.ansible_runs import huawei_auth, localhost_play, run_playbook, tencent_auth, write_playbook
from emulator.harness import EmulatorProcess


def self_signed(directory):
    """A certificate for 127.0.0.1 and localhost that is its own CA; returns (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cloudjobs emulator")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        # What strict verification (urllib3 2, Python 3.13) asks of a certificate that is its own CA.
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "emulator.crt", directory / "emulator.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


@pytest.fixture
def https_emulator(tmp_path):
    cert, key = self_signed(tmp_path)
    with EmulatorProcess(tls=(cert, key)) as emu:
        yield emu, cert


MODULES = {
    "mrs_job_executions": ({"cluster_id": fault_matrix.CLUSTER, "filters": {"name_pattern": "nightly-*"}},
                           "mrs", "job_id", [fault_matrix.E1, fault_matrix.E2]),
    "workspace_scheduled_tasks": ({"filters": {"name_pattern": "tmp-*"}}, "workspace", "id", [fault_matrix.T1, fault_matrix.T2]),
    "tencent_batch_job": ({"filters": {"name_pattern": "render-*"}}, "tencent", "JobId", [fault_matrix.J1, fault_matrix.J2]),
}
SETTINGS = {
    "default": {},
    "ca_bundle": "CA",
    "validate_certs false": {"validate_certs": False},
}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_tls_is_verified_unless_told_otherwise(module, https_emulator, tmp_path):
    emu, cert = https_emulator
    args, store, field, expected = MODULES[module]
    auth = tencent_auth(emu.url) if store == "tencent" else huawei_auth(emu.url)
    outcomes = {}
    for setting, extra in SETTINGS.items():
        emu.reset()
        emu.seed(fault_matrix.seed())
        extra = {"ca_bundle": cert} if extra == "CA" else extra
        out = tmp_path / ("%s.json" % setting.replace(" ", "_"))
        tasks = [
            {"name": "Clean up over HTTPS", "cloudjobs.cleanup.%s" % module: dict(args, max_retries=0, **dict(auth, **extra)),
             "register": "cleanup", "ignore_errors": True},
            {"name": "Keep the result", "ansible.builtin.copy": {"content": "{{ cleanup | to_json }}", "dest": str(out), "mode": "0600"}},
        ]
        run = run_playbook(tmp_path, write_playbook(tmp_path / "tls.yml", localhost_play(tasks)))
        assert run.returncode == 0, run.stdout[-2000:]
        outcomes[setting] = (json.loads(out.read_text(encoding="utf-8")), {r[field] for r in emu.state()[store]})

    initial = {r[field] for r in fault_matrix.seed()[store]}
    result, remaining = outcomes["default"]
    assert result["failed"], "an unverifiable certificate was accepted"
    assert "SSLError" in result["msg"] and "certificate" in result["msg"].lower() and "ca_bundle" in result["msg"]
    assert remaining == initial and result["deleted"] == []
    for setting in ("ca_bundle", "validate_certs false"):
        result, remaining = outcomes[setting]
        assert not result.get("failed"), "%s: %s" % (setting, result.get("msg"))
        assert sorted(result["deleted"]) == expected and remaining == initial - set(expected)
