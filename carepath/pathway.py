"""What every stateful record shares: optimistic locking and transitions run through services.

A model declares its states and transitions with django-fsm-2; each condition carries the
sentence a person is shown when it is not met. A service calls ``run_transition``, which checks
the acting user's permission through the access policy, the record's version, the source
state and the conditions, and turns a lost race into a ``ConflictError`` the user can act on.
"""

from __future__ import annotations

from collections.abc import Callable

import django_fsm
from django.db import models, transaction
from django.utils.translation import gettext as _

from carepath import policy


class PathwayError(Exception):
    """A request the record cannot take now; the message tells the person why."""


class ConflictError(PathwayError):
    """Someone else changed the record since this person loaded it."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or _(
                "Someone else changed this record while you were working on it. "
                "Nothing you entered was saved: reload the page to see their changes, "
                "then try again."
            )
        )


def condition(message: str, *, silent: bool = False) -> Callable:
    """Mark a transition condition with the sentence shown when it is not met. A silent
    condition hides the transition instead (it does not apply at this point at all)."""

    def mark(check: Callable) -> Callable:
        check.message = message
        check.silent = silent
        return check

    return mark


class VersionedModel(django_fsm.ConcurrentTransitionMixin, models.Model):
    """Optimistic locking: forms carry the version they were drawn from, and a write against an
    older version is refused instead of silently overwriting someone else's change."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self._loaded_version = self.version
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        try:
            super().save(*args, **kwargs)
        except django_fsm.ConcurrentTransition as error:
            self.version = self._loaded_version
            raise ConflictError() from error

    def _do_update(self, base_qs, using, pk_val, *args, **kwargs):
        # Only the row as it was loaded may be overwritten: a save over a newer version (someone
        # else's edit, not only their transition) updates nothing and is refused.
        loaded = getattr(self, "_loaded_version", None)
        if loaded is None:
            return super()._do_update(base_qs, using, pk_val, *args, **kwargs)
        updated = super()._do_update(base_qs.filter(version=loaded), using, pk_val, *args, **kwargs)
        if not updated and base_qs.filter(pk=pk_val).exists():
            raise django_fsm.ConcurrentTransition("The record changed since it was loaded.")
        return updated


def lock(obj: VersionedModel, *, expected_version: int | None, by=None) -> None:
    """Lock the row for this transaction and refuse a stale version. ``by`` is recorded as the
    author of the history row the coming save writes (outside a request too: tasks, commands)."""
    if by is not None:
        obj._history_user = by
    current = type(obj).objects.select_for_update().filter(pk=obj.pk).values("version").first()
    if current is None:
        raise ConflictError(_("This record no longer exists."))
    if expected_version is not None and current["version"] != expected_version:
        raise ConflictError()
    if current["version"] != obj.version:
        raise ConflictError()


def unmet_conditions(obj: models.Model, name: str) -> list[str]:
    method = getattr(obj, name)
    meta = method._django_fsm
    state = meta.field.get_state(obj)
    found = meta.get_transition(state)
    if found is None:
        return []
    return [
        str(getattr(check, "message", _("A condition for this step is not met.")))
        for check in found.conditions
        if not check(obj)
    ]


def run_transition(
    obj: VersionedModel,
    name: str,
    *,
    by,
    permission: str,
    expected_version: int | None = None,
    **kwargs,
):
    """Check who, when and whether, then take the transition and save. The caller records the
    timeline event in the same transaction. ``permission`` is the transition's own when it
    declares one."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("run_transition must be called inside a transaction")
    method = getattr(obj, name)
    meta = method._django_fsm
    declared = next(iter(meta.transitions.values())).custom or {}
    policy.require(by, declared.get("permission", permission), obj)
    lock(obj, expected_version=expected_version, by=by)
    state = meta.field.get_state(obj)
    if not meta.has_transition(state):
        raise PathwayError(
            _("This cannot be done while the record is “%(state)s”.")
            % {"state": state_label(obj, meta.field)}
        )
    missing = unmet_conditions(obj, name)
    if missing:
        raise PathwayError(" ".join(missing))
    result = method(**kwargs)
    obj.save()
    return result


def state_label(obj: models.Model, field) -> str:
    return str(dict(field.flatchoices).get(field.get_state(obj), field.get_state(obj)))


def available_transitions(obj: models.Model, user, *, permission: str) -> list[dict]:
    """The transitions this person may take now, with their labels, for the page to offer.
    A transition may name its own permission in ``custom``; otherwise ``permission`` applies."""
    field = obj._meta.get_field("state")
    result = []
    for found in field.get_all_transitions(type(obj)):
        if found.source not in (field.get_state(obj), django_fsm.ANY_STATE):
            continue
        custom = found.custom or {}
        if custom.get("hidden") or not policy.can(user, custom.get("permission", permission), obj):
            continue
        if any(getattr(check, "silent", False) and not check(obj) for check in found.conditions):
            continue
        result.append(
            {
                "name": found.name,
                "label": custom.get("label", found.name.replace("_", " ")),
                "form": custom.get("form", ""),
                "blocked_by": unmet_conditions(obj, found.name),
            }
        )
    return result


def declared_transition(model, name: str, *, include_hidden: bool = True):
    """The transition ``name`` declared on ``model``'s state field, or None (hidden ones, taken
    only by services, are left out when ``include_hidden`` is false)."""
    field = model._meta.get_field("state")
    found = next((t for t in field.get_all_transitions(model) if t.name == name), None)
    if found is not None and not include_hidden and (found.custom or {}).get("hidden"):
        return None
    return found


def transition_form_of(model, name: str, **kwargs) -> str | None:
    """The form a transition asks for (its ``custom["form"]``), "" for none, None if unknown."""
    found = declared_transition(model, name, **kwargs)
    return None if found is None else (found.custom or {}).get("form", "")


def refuse_from_wrong_state(obj, name: str, *, what: str) -> None:
    """Refuse, naming the current state, a transition that does not leave it. ``what`` names the
    record the way the person knows it ("the matter", "the return")."""
    meta = getattr(obj, name)._django_fsm
    if not meta.has_transition(meta.field.get_state(obj)):
        raise PathwayError(
            _("This cannot be done while %(what)s is “%(state)s”.")
            % {"what": what, "state": state_label(obj, meta.field)}
        )
