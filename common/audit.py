"""Audit trail helpers on top of django-simple-history: who, when, before → after."""

from collections import defaultdict
from dataclasses import dataclass


@dataclass
class Change:
    field: str
    old: object
    new: object


@dataclass
class HistoryEntry:
    when: object
    who: object
    action: str
    reason: str
    changes: list[Change]


ACTIONS = {"+": "创建", "~": "修改", "-": "删除"}


def set_actor(obj, actor, reason: str = "") -> None:
    """Tell simple_history who makes the coming save (services call this before save())."""
    obj._history_user = actor
    if reason:
        obj._change_reason = reason


def history_entries(obj, limit: int = 50) -> list[HistoryEntry]:
    """The object's history, newest first, each with its field-level diff.

    Two queries whatever the length: the records with their users, compared in memory.
    """
    model = obj.history.model
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    fields = {
        f.attname: f
        for f in model._meta.fields
        if f.attname
        not in {
            "history_id",
            "history_date",
            "history_change_reason",
            "history_type",
            "history_user_id",
            "updated_at",
            "created_at",
        }
    }
    original = type(obj)._meta
    pending = []  # (entry changes index, Change, field, old raw, new raw) for FK names
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if len(entries) == limit:
            break
        changes = []
        if older is not None:
            for attname, field in fields.items():
                old, new = getattr(older, attname), getattr(newer, attname)
                if old != new:
                    try:
                        label = original.get_field(field.name).verbose_name
                    except Exception:  # noqa: BLE001 - history-only fields
                        label = field.name
                    change = Change(str(label), _display(field, old), _display(field, new))
                    if field.is_relation and field.related_model is not None:
                        pending.append((change, field.related_model, old, new))
                    changes.append(change)
        entries.append(
            HistoryEntry(
                when=newer.history_date,
                who=newer.history_user,
                action=ACTIONS.get(newer.history_type, newer.history_type),
                reason=newer.history_change_reason or "",
                changes=changes,
            )
        )
    _name_related(pending)
    return entries


def _name_related(pending) -> None:
    """Show a changed foreign key by its object's name, one query per related model."""
    ids_by_model = defaultdict(set)
    for _change, model, old, new in pending:
        ids_by_model[model].update(v for v in (old, new) if v is not None)
    names = {model: model._default_manager.in_bulk(list(ids)) for model, ids in ids_by_model.items()}
    for change, model, old, new in pending:
        if old is not None:
            change.old = str(names[model].get(old, old))
        if new is not None:
            change.new = str(names[model].get(new, new))


def _display(field, value):
    if value is None or value == "":
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value
