# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials of one module run, whatever their source, and their refresh.

PRIVATE to this collection; no stability promise.

Provider-neutral. Both clouds' credential modules (``_huawei_credentials.py``, ``_tencent_credentials.py``) speak one
vocabulary, the same names for the same steps:

- ``resolve_credentials(params, environ=None)`` -> ``CredentialPlan``: which source yields the keys, in the official
  tools' order (options, environment, the CLI's profile, the SDK's credentials file, instance metadata only when
  asked for), reading files and sending nothing; a ConfigurationError lists every source tried (``nothing_found``).
- ``CredentialPlan``: ``source`` (names where the keys come from, never a secret), ``keys`` (``Credentials``, or
  None when the ``instance`` metadata service hands them out), ``role`` (the role, on Huawei the agency, to assume
  on top, or None), ``region`` (and on Huawei ``project_id``) that a profile adds, ``tried``; ``apply(params)``
  returns the options with what the plan adds where they leave it unset.
- ``credential_chain(plan, metadata=None, sts=None)`` -> the ``fetch()`` of ``CurrentCredentials`` (the SDKs'
  "credential provider chain"): the plan's keys or ``metadata()``'s (an ``InstanceMetadata``), then ``plan.role``
  assumed with them through ``sts(source)``, something that asks STS (on Huawei also IAM) signed with what
  ``source()`` returns.
- ``InstanceMetadata(...).credentials()``: the instance's temporary keys; ``assume_role(sts, role)``: the temporary
  keys of ``role``.

``CurrentCredentials`` hands the keys to the signers, thread-safe with the concurrent delete workers, and fetches
new ones shortly before temporary ones expire, or once after the service answered that they expired. ``Secrets`` is
the registry of every secret a run knows, which the error parsers scrub from what the services answer.
"""

from __future__ import annotations

import datetime
import threading
import time

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ConfigurationError

# Fetch new temporary credentials this long before they expire (the SDKs use 300 s to 600 s).
REFRESH_MARGIN = 300.0


def nothing_found(cloud, keys, tried):
    """The error of a run no credential source could serve, in one form for both clouds: what to set first (``keys``:
    the key options and their environment variables), then every source tried, numbered, in order."""
    return ConfigurationError("missing %s credentials: set %s, or one of the other sources. Tried, in order: %s"
                              % (cloud, keys, "; ".join("%d. %s" % (n, text) for n, text in enumerate(tried, 1))))


class Credentials:
    """One set of keys. ``token`` and ``expires_at`` (epoch seconds) are None for long-lived keys; ``source`` names
    where they came from (an option, a file, a role), for messages: it never holds a secret."""

    __slots__ = ("key_id", "secret", "token", "expires_at", "source")

    def __init__(self, key_id, secret, token=None, expires_at=None, source="options"):
        self.key_id = key_id
        self.secret = secret
        self.token = token or None
        self.expires_at = expires_at
        self.source = source

    @property
    def temporary(self):
        return self.expires_at is not None

    def secrets(self):
        """What must never reach output: the secret key and the token."""
        return [s for s in (self.secret, self.token) if s]


def source_of(plan, metadata):
    """The first link of either cloud's ``credential_chain``: a function returning the ``CredentialPlan``'s keys, or the
    ``credentials`` method of the instance's ``metadata()`` (an ``InstanceMetadata``) when the plan has none."""
    if plan.keys is not None:
        keys = plan.keys
        return lambda: keys
    return metadata().credentials


class CurrentCredentials:
    """The credentials to sign with now.

    ``fetch()`` returns new ``Credentials`` (it is called again only for temporary ones). ``get()`` returns the
    current ones, fetching new ones within ``margin`` seconds of their expiry (or ``margin`` capped to half their
    lifetime, so that short-lived credentials are not fetched on every call). ``refresh(stale)`` fetches new ones
    after the service refused ``stale`` as expired, unless another worker already did.
    """

    def __init__(self, fetch, margin=REFRESH_MARGIN, clock=time.time):
        self._fetch = fetch
        self._margin = margin
        self._clock = clock
        self._lock = threading.Lock()
        self._current = None
        self._fetched_at = None
        self.fetches = 0

    def get(self):
        with self._lock:
            if self._current is None or self._due(self._current):
                self._replace()
            return self._current

    def refresh(self, stale):
        """New credentials after ``stale`` was refused as expired; False when they cannot be refreshed (long-lived
        keys), so that the caller reports the refusal instead of retrying."""
        with self._lock:
            if self._current is not stale:
                return True  # another worker refreshed meanwhile
            if not stale.temporary:
                return False
            self._replace()
            return True

    def _due(self, credentials):
        if not credentials.temporary:
            return False
        lifetime = credentials.expires_at - self._fetched_at
        margin = min(self._margin, max(lifetime / 2.0, 0.0))
        return self._clock() >= credentials.expires_at - margin

    def _replace(self):
        self._fetched_at = self._clock()
        self._current = self._fetch()
        self.fetches += 1


class Secrets:
    """Every secret a run knows, in the order it learnt them: the secret options, each set of credentials fetched,
    a metadata token. The connections scrub them from every service message (``_errors.redact``) before an error
    exists. One registry per run, shared by the connections that sign for it; thread-safe."""

    def __init__(self, values=()):
        self._lock = threading.Lock()
        self._values = []
        self.add(*values)

    def add(self, *values):
        with self._lock:
            for value in values:
                if value and value not in self._values:
                    self._values.append(value)

    def remember(self, fetch):
        """``fetch`` that adds the secrets of each ``Credentials`` it returns."""
        def remembering():
            credentials = fetch()
            self.add(*credentials.secrets())
            return credentials
        return remembering

    def values(self):
        with self._lock:
            return list(self._values)

    def __iter__(self):
        return iter(self.values())


def parse_expiry(value, what):
    """Epoch seconds from the clouds' expiry formats: ``2026-11-30T01:02:03.587000Z`` (Huawei IAM, metadata),
    ``2026-11-30T01:02:03.158Z`` (Huawei STS), or epoch seconds (Tencent ``ExpiredTime``)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return float(text)
        for pattern in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
            try:
                moment = datetime.datetime.strptime(text, pattern)
            except ValueError:
                continue
            return moment.replace(tzinfo=datetime.timezone.utc).timestamp()
    raise ConfigurationError("%s: the expiry %r is in no format the clouds use" % (what, value))
