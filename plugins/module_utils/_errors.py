# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's error types. PRIVATE to this collection; no stability promise.

Messages never carry a secret, a token or an ``Authorization`` value: errors are built from status codes,
service error codes and service messages, and connections scrub their own secrets out of the latter.
"""

from __future__ import annotations


def redact(text, secrets):
    """``text`` with every secret replaced: services sometimes echo request headers in their messages."""
    for secret in secrets:
        if secret and text and secret in text:
            text = text.replace(secret, "********")
    return text


class CloudJobsError(Exception):
    """Base of every error the collection raises on purpose."""


class ConfigurationError(CloudJobsError):
    """Bad options or missing credentials, found before any request is sent."""


class UnexpectedError(CloudJobsError):
    """An exception the collection did not raise on purpose (a bug, a library's error, a credential refresh that
    failed in a worker thread), caught where a run must still report every id: it ends the run like a fatal API
    error, in one line and without a traceback. ``code`` and ``request_id`` are None: no service answered."""

    code = None
    request_id = None

    def __init__(self, cause, where):
        self.cause = cause
        text = str(cause) if isinstance(cause, CloudJobsError) else "%s: %s" % (type(cause).__name__, cause)
        super(UnexpectedError, self).__init__("%s failed: %s" % (where, text))


def check_range(value, option, minimum=1, maximum=None):
    """Integers the argument spec cannot bound by itself; refused before any request is built."""
    if value is None:
        return None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = "at least %d" % minimum if maximum is None else "between %d and %d" % (minimum, maximum)
        raise ConfigurationError("%s must be %s, got %d" % (option, bounds, value))
    return value


class ApiError(CloudJobsError):
    """A call to a cloud API failed: the service refused it, or it never got a usable answer.

    ``code`` is the service's error code (``0176``, ``APIGW.0308``, ``ResourceNotFound.Job``) or, when the
    service gave none, the transport's: ``ConnectionError`` (dropped or reset, retried), ``ConnectionRefused``,
    ``NameResolutionError`` and ``InvalidURL`` (a wrong endpoint: never retried), ``Timeout``, ``SSLError``,
    ``MalformedResponse``, ``InvalidRequest`` or ``HTTP<status>``.

    ``Transport.send`` sets ``attempts`` (requests sent), ``elapsed`` (seconds from the first to the give-up)
    and ``host`` (``scheme://host:port`` of the endpoint, never a path or query) when it gives up. The message
    says how many attempts over how long whenever the call was retried or got no answer at all (``status`` is
    None); ``hint`` (what to check) closes it.

    ``detail`` and ``encoded_authorization_message`` are the service's ``error_detail`` and
    ``encoded_authorization_message`` (Huawei), kept as given. ``required_actions`` is set when the call was refused
    for want of a permission: the actions that grant the operation, from ``_permissions.PERMISSIONS``.
    """

    def __init__(self, service, operation, message, status=None, code=None, request_id=None, retry_after=None,
                 hint=None, detail=None, encoded_authorization_message=None):
        self.service = service
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.retry_after = retry_after
        self.hint = hint
        self.detail = detail
        self.encoded_authorization_message = encoded_authorization_message
        self.required_actions = None  # a tuple of action names once the call is known to be a permission denial
        self.not_found = False  # set by the service client, from what it declares "does not exist" looks like
        self.attempts = None
        self.elapsed = None
        self.host = None
        super(ApiError, self).__init__(self.__str__())

    def __str__(self):
        parts = []
        if self.status is not None:
            parts.append("HTTP %s" % self.status)
        if self.code:
            parts.append("error %s" % self.code)
        where = ", ".join(parts)
        text = "%s %s failed: %s%s%s" % (
            self.service,
            self.operation,
            where,
            ": " if where else "",
            self.message or "no message",
        )
        if self.request_id:
            text += " (request id %s)" % self.request_id
        attempts = self.attempts or 0
        if attempts > 1 or (attempts and self.status is None):
            text += " (%d attempt%s over %.1f s)" % (attempts, "" if attempts == 1 else "s", self.elapsed or 0.0)
        if self.hint:
            text += "; %s" % self.hint
        return text

    @property
    def permission_denied(self):
        return self.required_actions is not None

    def deny(self, required_actions, hint):
        """Mark this error as a permission denial: what grants the operation, and what the message says to do."""
        self.required_actions = tuple(required_actions)
        self.hint = hint
        return self

    def service_details(self):
        """What the service said beyond its code and message, as returned (``error_detail``,
        ``encoded_authorization_message``): only the keys it gave."""
        details = {}
        if self.detail:
            details["error_detail"] = self.detail
        if self.encoded_authorization_message:
            details["encoded_authorization_message"] = self.encoded_authorization_message
        return details

    def to_dict(self):
        result = {
            "service": self.service,
            "operation": self.operation,
            "status": self.status,
            "error_code": self.code,
            "message": self.message,
            "request_id": self.request_id,
            "attempts": self.attempts,
            "host": self.host,
        }
        result.update(self.service_details())
        if self.required_actions is not None:
            result["required_actions"] = list(self.required_actions)
        return result


def mark_not_found(error, rules):
    """``error`` with ``not_found`` set by the rule its operation declares (``rules``: operation -> predicate).

    Each service client declares once, per operation, which answers mean "that record does not exist", so that a
    show can answer None and a delete can read "already gone" as success, without each caller knowing the codes.
    """
    rule = rules.get(error.operation)
    error.not_found = bool(rule is not None and rule(error))
    return error
