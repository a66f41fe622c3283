# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Keys and certificates the emulator needs: a private CA for TLS, the server
certificate, client certificates for certificate sign-in, and RSA signing keys."""

import base64
import datetime
import hashlib
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def new_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name):
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "entra.graph emulator"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _builder(subject, issuer, public_key, days):
    # Backdated so that a client whose clock is slightly behind still accepts it.
    start = _now() - datetime.timedelta(hours=1)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def make_ca():
    """A CA that satisfies strict X.509 checks (Python 3.13 turns VERIFY_X509_STRICT on by default)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("entra.graph emulator CA")
    cert = (
        _builder(name, name, key.public_key(), 30)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
        ), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_leaf(ca_key, ca_cert, common_name, server=False, key=None, days=30):
    """A certificate issued by the CA; for the TLS server (SAN 127.0.0.1 and localhost) or a signing key."""
    if key is None:
        key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        _builder(_name(common_name), ca_cert.subject, key.public_key(), days)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=isinstance(key, rsa.RSAPrivateKey),
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False,
        ), critical=True)
    )
    if server:
        builder = (
            builder
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.DNSName("localhost"),
            ]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        )
    return key, builder.sign(ca_key, hashes.SHA256())


def make_self_signed(key, common_name, days=365):
    """A client certificate as an app registration holds it: self-signed, RSA."""
    name = _name(common_name)
    return (
        _builder(name, name, key.public_key(), days)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )


def key_pem(key, password=None):
    encryption = (
        serialization.BestAvailableEncryption(password.encode("utf-8")) if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def cert_der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


def thumbprints(cert):
    """(SHA-1 hex, SHA-256 hex) upper case, as the Entra portal shows them."""
    der = cert_der(cert)
    return hashlib.sha1(der).hexdigest().upper(), hashlib.sha256(der).hexdigest().upper()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_uint(value):
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def jwk(key, kid, cert=None, issuer=None):
    """The public JWK of an RSA key, shaped like an entry of Entra's discovery/v2.0/keys."""
    numbers = key.public_key().public_numbers()
    entry = {"kty": "RSA", "use": "sig", "kid": kid, "x5t": kid, "n": b64url_uint(numbers.n), "e": b64url_uint(numbers.e)}
    if cert is not None:
        entry["x5c"] = [base64.b64encode(cert_der(cert)).decode("ascii")]
    if issuer:
        entry["issuer"] = issuer
    return entry


def write_file(path, data, private=False):
    """Write bytes; private files are created 0600 so that key material is never world-readable."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path
