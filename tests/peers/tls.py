"""Throwaway certificates for peers that speak HTTPS and demand client certificates.

:func:`authority` makes a certificate authority; :meth:`Authority.issue` a
certificate for a server (``127.0.0.1``/``localhost``) or a client, as PEM text
the way a platform hands them out. Everything lives in memory for one test run.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Issued:
    certificate: str  # PEM
    key: str  # PEM, PKCS#8, unencrypted


@dataclass(frozen=True)
class Authority:
    name: str
    certificate: str  # PEM
    _key: ec.EllipticCurvePrivateKey

    def issue(
        self, common_name: str, *, server: bool = False, days: int = 30, expired: bool = False
    ) -> Issued:
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        start, end = (
            (now - dt.timedelta(days=60), now - dt.timedelta(days=1))
            if expired
            else (
                now - dt.timedelta(minutes=5),
                now + dt.timedelta(days=days),
            )
        )
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(_name(self.name))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if server:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                critical=False,
            )
        certificate = builder.sign(self._key, hashes.SHA256())
        return Issued(_pem(certificate), _key_pem(key))


def authority(name: str) -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return Authority(name, _pem(certificate), key)


@contextmanager
def server_context(server: Issued, clients_from: Authority) -> Iterator[ssl.SSLContext]:
    """A TLS server context that presents ``server`` and requires a client certificate
    issued by ``clients_from`` (the ssl module reads certificates only from files)."""
    with tempfile.TemporaryDirectory() as folder:
        certificate, key = Path(folder) / "server.pem", Path(folder) / "server.key"
        certificate.write_text(server.certificate)
        key.write_text(server.key)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        context.load_verify_locations(cadata=clients_from.certificate)
        context.verify_mode = ssl.CERT_REQUIRED
        yield context


def common_name(peer_certificate: dict) -> str:
    """The CN of a certificate as ``SSLSocket.getpeercert()`` gives it."""
    for rdn in peer_certificate.get("subject", ()):
        for attribute, value in rdn:
            if attribute == "commonName":
                return value
    return ""


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Amtsweg tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
