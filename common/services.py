"""Helpers every app's services use to write: validate, record who, save only what changed."""

from collections.abc import Iterable, Sequence

from .audit import set_actor


def save_audited(obj, actor, *, update_fields: Sequence[str] | None = None, reason: str = ""):
    """``full_clean()``, tell the history who (and why), then save (only ``update_fields``)."""
    obj.full_clean()
    set_actor(obj, actor, reason)
    if update_fields is None:
        obj.save()
    else:
        obj.save(update_fields=[*update_fields, *(["updated_at"] if hasattr(obj, "updated_at") else [])])
    return obj


def apply_changes(obj, fields: dict, allowed: Iterable[str] | None = None) -> list[str]:
    """Set the given fields (those in ``allowed``, if given) and return the names that changed."""
    allowed = set(fields) if allowed is None else set(allowed)
    changed = [name for name, value in fields.items() if name in allowed and getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, fields[name])
    return changed
