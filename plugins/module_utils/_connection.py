# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one contract of a cloud connection, kept by ``_huawei.HuaweiCloudConnection`` and
``_tencent.TencentCloudConnection``.

PRIVATE to this collection; no stability promise.

A connection of either cloud:

- is built by ``from_params``, in this order: the cloud's ``check_params`` (``resolve_credentials``, then the
  options checked with what the plan adds: files read, nothing sent), the ``Transport``, then ``connect`` (its retry
  policy, its credential chain); the transport is closed when connecting fails;
- names a service in messages with its module's ``label(service)``;
- says where its records live (``scope``), for reviewed plans;
- holds ``secrets``, the run's ``Secrets``: the secret options and every credential fetched, scrubbed from each
  service message before an error exists;
- signs with ``credentials``, a ``CurrentCredentials`` over the cloud's ``credential_chain`` (None only for a
  Huawei IAM token), and sends a call refused because its temporary credentials expired once more after a refresh
  (``send_refreshing``).
"""

from __future__ import annotations

from collections import namedtuple

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._credentials import CurrentCredentials, Secrets
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._transport import Transport

# What a cloud's check_params returns: the CredentialPlan, the region, and the options as the run uses them.
CheckedParams = namedtuple("CheckedParams", ["plan", "region", "params"])


class CloudConnection:
    """What both clouds' connections share; each cloud supplies the steps marked "the cloud's"."""

    secret_options = ()  # the cloud's: the options whose values are secrets

    def __init__(self, params, transport, policy, secrets=None):
        self.params = params
        self.transport = transport
        self.policy = policy
        self.secrets = secrets if secrets is not None else Secrets(params.get(name) for name in self.secret_options)
        self.credentials = None

    @classmethod
    def from_params(cls, params, service=None, read_only=False, debug=None):
        """The connection of a module run: resolve and check (no request sent), then the transport, then connect."""
        checked = cls.check_params(params)
        transport = Transport.from_params(checked.params, read_only=read_only, debug=debug)
        try:
            return cls.connect(checked, transport, service)
        except BaseException:
            transport.close()
            raise

    @staticmethod
    def check_params(params):
        """The cloud's: ``CheckedParams`` of ``params``, or a ConfigurationError before any request."""
        raise NotImplementedError

    @classmethod
    def connect(cls, checked, transport, service):
        """The cloud's: the connection to ``service`` (None: the cloud's default) over ``transport``."""
        raise NotImplementedError

    def scope(self):
        """The cloud's: where this connection's records live, as a reviewed plan records it (``_plans``): the cloud,
        the service endpoint's scheme, host and port, the region (and Huawei's project id: resolved if need be)."""
        raise NotImplementedError

    def sign_with(self, fetch):
        """Sign with the ``Credentials`` that ``fetch()`` returns (a ``credential_chain``), each set remembered in
        ``secrets``."""
        self.credentials = CurrentCredentials(self.secrets.remember(fetch))

    def close(self):
        self.transport.close()

    @property
    def list_concurrency(self):
        """List pages fetched at a time after the first (the ``list_concurrency`` option)."""
        return self.transport.list_concurrency

    def send_refreshing(self, send, used, service, operation):
        """``send()``; when the service refuses the temporary credentials it was signed with (the last of ``used``)
        as expired, once more with new ones, fetched once whichever worker sees the refusal first. A refusal of
        long-lived credentials stands."""
        try:
            return send()
        except ApiError as error:
            stale = used[-1] if used else None
            if stale is None or not self.expired(error):
                raise
            if not self.credentials.refresh(stale):
                self.cannot_refresh(error, stale)
                raise
            self.transport.debug(self.refreshed(service, operation, error, stale))
        try:
            return send()
        except ApiError as error:
            if self.expired(error):
                self.refused_again(error, used[-1])
            raise

    def expired(self, error):
        """The cloud's: whether ``error`` refuses the credentials a call was signed with as expired."""
        raise NotImplementedError

    def cannot_refresh(self, error, stale):
        """The cloud's: the hint of an expired refusal of credentials that cannot be refreshed."""

    def refreshed(self, service, operation, error, stale):
        """The cloud's: the debug line of a call sent again with new credentials."""
        raise NotImplementedError

    def refused_again(self, error, fresh):
        """The cloud's: the hint of an expired refusal of the new credentials too."""
