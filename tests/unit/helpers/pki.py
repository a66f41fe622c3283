# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A throwaway app certificate, written in the PEM layouts a user might hand the collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import hashlib
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

CERT_PASSWORD = 'Pem-Passw0rd-unit-secret'


class AppCertificate:
    """An RSA key and a self-signed certificate for it, with files in every layout the tests need."""

    def __init__(self, folder, common_name='entra-graph-unit'):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(self.key, hashes.SHA256())
        )
        der = self.cert.public_bytes(serialization.Encoding.DER)
        self.sha1_hex = hashlib.sha1(der).hexdigest().upper()  # nosec - x5t is SHA-1 by definition
        self.x5t = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).decode('ascii').rstrip('=')  # nosec

        cert_pem = self.cert.public_bytes(serialization.Encoding.PEM)
        plain_key = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption())
        encrypted_key = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.BestAvailableEncryption(CERT_PASSWORD.encode('utf-8')))
        self.password = CERT_PASSWORD
        self.pem_path = _write(folder, 'app.pem', plain_key + cert_pem)
        self.cert_first_path = _write(folder, 'app-cert-first.pem', cert_pem + plain_key)
        self.encrypted_path = _write(folder, 'app-encrypted.pem', encrypted_key + cert_pem)
        self.cert_only_path = _write(folder, 'cert-only.pem', cert_pem)
        self.key_only_path = _write(folder, 'key-only.pem', plain_key)
        self.garbage_path = _write(folder, 'garbage.pem', b'-----BEGIN NOTHING-----\nnot base64 at all\n-----END NOTHING-----\n')
        self.empty_path = _write(folder, 'empty.pem', b'')
        self.unreadable_path = os.path.join(folder, 'does-not-exist.pem')

    def public_key(self):
        return self.cert.public_key()


def _write(folder, name, data):
    path = os.path.join(folder, name)
    with open(path, 'wb') as handle:
        handle.write(data)
    return path
