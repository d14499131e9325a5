# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reviewed plans: a check run writes down what it would delete, a person approves it, a later run deletes exactly
that, or less, never more.

PRIVATE to this collection; no stability promise.

A plan is a plain document (it travels through AWX artifacts, extra vars and approval nodes as JSON)::

    version      PLAN_VERSION; a module refuses a version it does not know
    module       the module that made it, e.g. cloudjobs.cleanup.mrs_job_executions
    scope        where its ids live: cloud, endpoint, region, project_id, cluster_id, api_version (per module)
    selection    the selection options that produced it (the ids and filters as given, unset ones left out) and force
    fields       the names of the columns of ``records``: the id, then what made each record qualify
    records      one row per record the check run would delete, in the order it would delete them
    created_at   when the check run made it (UTC, ISO 8601)
    expires_at   created_at + plan_ttl; an expired plan is refused
    digest       sha256 over the canonical JSON of everything else: an edited plan is refused

The digest catches a plan changed on the way (by hand, by a template); it is not a signature, and who may approve
and run a plan is the job of AWX's roles. Applying a plan (``Plan.look``, ``Plan.drift``) looks again with the
plan's own selection and deletes a plan record only when it still exists, is still selected and reads as recorded;
every other plan id is reported (``already_absent``, or ``not_deleted`` with a "changed since the plan" reason) and
no record outside the plan is touched, whatever it is.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._selection import parse_duration

PLAN_VERSION = 1
DEFAULT_PLAN_TTL = "24h"
DRIFT = "changed since the plan"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_KEYS = ("version", "module", "scope", "selection", "fields", "records", "created_at", "expires_at", "digest")

# The options of every deleting module that make and apply plans (doc fragment cleanup.py).
PLAN_ARGUMENT_SPEC = dict(
    plan=dict(type="dict"),
    plan_ttl=dict(type="str", default=DEFAULT_PLAN_TTL),
)


class PlanRefused(ConfigurationError):
    """A plan that must not be applied: expired, edited, foreign, mixed with selection options, of an unknown version.
    Raised before any request is sent (a scope that needs the resolved project id: before any mutating one)."""


def plan_digest(document):
    """``sha256:<hex>`` over the canonical JSON of ``document`` without its ``digest``."""
    body = {key: value for key, value in document.items() if key != "digest"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _utc(seconds):
    return datetime.datetime.fromtimestamp(int(seconds), datetime.timezone.utc).strftime(_TIME_FORMAT)


def _epoch(text, key):
    try:
        moment = datetime.datetime.strptime(text, _TIME_FORMAT)
    except (TypeError, ValueError):
        raise PlanRefused("the plan's %s %r is not a UTC time such as 2026-12-07T10:00:00Z; nothing was deleted. "
                          "Run check mode again for a new plan" % (key, text))
    return moment.replace(tzinfo=datetime.timezone.utc).timestamp()


def selection_options(ids_option, ids, filters, force):
    """The selection options as a plan records them: unset filters left out, so a plan stays short and its digest
    does not depend on the filters a newer release adds."""
    return {
        ids_option: list(ids) if ids is not None else None,
        "filters": {key: value for key, value in sorted((filters or {}).items()) if value is not None},
        "force": bool(force),
    }


class PlanMaker:
    """What a module tells the plan of its check run: its name, its selection options, ``plan_ttl`` in seconds."""

    def __init__(self, module_name, selection, ttl, clock=time.time):
        self.module_name = module_name
        self.selection = selection
        self.ttl = ttl
        self.clock = clock

    def document(self, target, records, scope):
        """The plan of ``records`` (those the check run would delete, in its order) in ``scope``."""
        now = int(self.clock())
        document = {
            "version": PLAN_VERSION,
            "module": self.module_name,
            "scope": dict(scope),
            "selection": dict(self.selection),
            "fields": list(target.plan_columns),
            "records": [[target.record_id(r)] + list(target.plan_fields(r)) for r in records],
            "created_at": _utc(now),
            "expires_at": _utc(now + self.ttl),
        }
        document["digest"] = plan_digest(document)
        return document


class Plan:
    """A plan given to a deleting module (option ``plan``), checked before any request: ``read`` refuses a plan of
    an unknown version, an edited or expired one, another module's, and one given together with selection options.
    ``check_scope`` refuses one of another scope once the run's scope is known."""

    def __init__(self, document):
        self.scope = document["scope"]
        self.selection = document["selection"]
        self.fields = document["fields"]
        self.records = {row[0]: list(row[1:]) for row in document["records"]}
        self.ids = [row[0] for row in document["records"]]
        self.digest = document["digest"]
        self.created_at = document["created_at"]
        self.expires_at = document["expires_at"]
        self._unselected = set()  # plan ids that exist but the plan's selection no longer selects

    @classmethod
    def read(cls, document, module_name, given_options, clock=time.time):
        """The plan ``document``, or PlanRefused. ``given_options``: the names of the selection options the task set
        (ids, filters): a plan replaces them, so giving both is refused."""
        if given_options:
            raise PlanRefused("plan cannot be given together with %s: the plan already says what to delete. Give the "
                              "plan alone, or the selection options without a plan" % " and ".join(given_options))
        if not isinstance(document, dict):
            raise PlanRefused("plan must be the plan a check run returned (a dictionary)")
        version = document.get("version")
        if version != PLAN_VERSION:
            raise PlanRefused("the plan's version %r is not one this release of the collection knows (%d); nothing was "
                              "deleted. Make the plan and apply it with the same release" % (version, PLAN_VERSION))
        missing = [key for key in _KEYS if key not in document]
        unknown = sorted(set(document) - set(_KEYS))
        if missing or unknown:
            raise PlanRefused("the plan is not one a check run returned (%s); nothing was deleted"
                              % "; ".join(filter(None, ["missing: " + ", ".join(missing) if missing else "",
                                                        "unknown: " + ", ".join(unknown) if unknown else ""])))
        if plan_digest(document) != document["digest"]:
            raise PlanRefused("the plan does not match its digest %s: it was changed after the check run made it; "
                              "nothing was deleted. Run check mode again for a new plan" % _short(document["digest"]))
        if document["module"] != module_name:
            raise PlanRefused("the plan was made by %s, not %s; nothing was deleted" % (document["module"], module_name))
        now = clock()
        if now >= _epoch(document["expires_at"], "expires_at"):
            raise PlanRefused("the plan %s expired at %s (made at %s; plan_ttl sets how long a plan holds); nothing was "
                              "deleted. Run check mode again for a new plan"
                              % (_short(document["digest"]), document["expires_at"], document["created_at"]))
        _epoch(document["created_at"], "created_at")
        try:
            plan = cls(document)
        except (TypeError, KeyError, IndexError, AttributeError):
            raise PlanRefused("the plan is not one a check run returned (its records cannot be read); nothing was "
                              "deleted")
        if len(plan.records) != len(plan.ids):
            raise PlanRefused("the plan names an id twice; nothing was deleted")
        if any(len(row) != len(plan.fields) for row in document["records"]):
            raise PlanRefused("the plan is not one a check run returned (a record without its %d fields); nothing was "
                              "deleted" % len(plan.fields))
        return plan

    def check_scope(self, scope):
        """Refuse the plan when it was made for another cloud, endpoint, region, project or cluster."""
        differences = ["%s %s, not %s" % (key, _shown(self.scope.get(key)), _shown(scope.get(key)))
                       for key in sorted(set(self.scope) | set(scope)) if self.scope.get(key) != scope.get(key)]
        if differences:
            raise PlanRefused("the plan %s was made for another scope (%s); nothing was deleted"
                              % (_short(self.digest), "; ".join(differences)))

    def look(self, target):
        """``(records, absent_ids)`` of the plan's ids: ``target`` (built with the plan's selection) looks as it would
        for a fresh run; the plan's ids it did not select are looked up by id, without the filters, so that a record
        that changed is told from one that is gone. Records outside the plan are dropped here: never touched."""
        if not self.ids:
            return [], []  # nothing was planned: nothing to look at
        records, absent = target.look()
        planned = set(self.records)
        selected = {target.record_id(r): r for r in records if target.record_id(r) in planned}
        absent = set(absent) & planned
        unseen = [i for i in self.ids if i not in selected and i not in absent]
        found = target.find(unseen) if unseen else {}
        self._unselected = set(found)
        selected.update(found)
        return ([selected[i] for i in self.ids if i in selected],
                [i for i in self.ids if i not in selected])

    def drift(self, target, record):
        """None when ``record`` still qualifies as the plan recorded it, else why not, as a ``not_deleted`` reason."""
        record_id = target.record_id(record)
        planned = self.records.get(record_id)
        now = list(target.plan_fields(record))
        changes = ["%s %s (planned %s)" % (name, _shown(value), _shown(then))
                   for name, value, then in zip(self.fields[1:], now, planned) if value != then]
        if changes:
            return "%s: %s" % (DRIFT, ", ".join(changes))
        if record_id in self._unselected:
            return "%s: the plan's filters no longer select it" % DRIFT
        kept = target.kept(record)
        if kept is not None:
            return "%s: now kept, %s" % (DRIFT, kept)
        return None

    def applied(self):
        """What the result says about the plan it applied (return value ``plan_applied``)."""
        return {"digest": self.digest, "created_at": self.created_at, "expires_at": self.expires_at,
                "planned": len(self.ids)}


class Planning:
    """A deleting module's side of plans, read from its options before any request: the plan it applies (option
    ``plan``), or the plan its check run returns (``plan_ttl``).

    ``ids``, ``filters``, ``force`` are what the module builds its selection from: the plan's recorded selection when
    it applies one, the options otherwise. The plan's ids go into URLs like any ids: ``id_rule`` checks them first.
    ``scope()`` returns the run's scope: the connection's ``scope()`` and the module's own parts (MRS: cluster_id,
    api_version); it may resolve the project id (a read)."""

    def __init__(self, params, module_name, ids_option, filter_keys, scope, id_rule, clock=time.time):
        self.scope = scope
        self.maker = None
        self.plan = None
        # plan_ttl is refused before any request, with or without a plan.
        ttl = parse_duration(params.get("plan_ttl") or DEFAULT_PLAN_TTL, option="plan_ttl")
        if params.get("plan") is None:
            self.ids, self.filters, self.force = params.get(ids_option), params.get("filters"), params.get("force")
            self.maker = PlanMaker(module_name, selection_options(ids_option, self.ids, self.filters, self.force), ttl,
                                   clock=clock)
            return
        given = [name for name in (ids_option, "filters") if params.get(name) is not None]
        self.plan = Plan.read(params["plan"], module_name, given, clock=clock)
        recorded = self.plan.selection
        filters = recorded.get("filters") or {}
        unknown = sorted(set(filters) - set(filter_keys)) if isinstance(filters, dict) else ["(not a dictionary)"]
        if unknown or set(recorded) != {ids_option, "filters", "force"}:
            raise PlanRefused("the plan's selection is not one this module makes (%s); nothing was deleted"
                              % ", ".join(unknown or sorted(recorded)))
        if self.plan.ids:
            id_rule.validate(self.plan.ids, "plan")
        self.ids = recorded.get(ids_option)
        self.filters = filters
        self.force = bool(recorded.get("force"))

    def check_scope(self):
        """Refuse a plan of another scope; called before the look, so before any mutating call."""
        if self.plan is not None:
            self.plan.check_scope(self.scope())

    def returned(self, target, result, check_mode):
        """The return values of plans: ``plan`` from a check run that made one, ``plan_applied`` from a run that
        applied one; ``{}`` otherwise (a check run the guard or an error ended makes no plan)."""
        if self.plan is not None:
            return {"plan_applied": dict(self.plan.applied(), drifted=len(result.drifted))}
        if not check_mode or result.message is not None:
            return {}
        by_id = {target.record_id(r): r for r in result.records}
        return {"plan": self.maker.document(target, [by_id[i] for i in result.deleted if i in by_id], self.scope())}


def _short(digest):
    return str(digest)[:19]


def _shown(value):
    return "-" if value in (None, "") else str(value)
