"""Audit trail helpers on top of django-simple-history: who, when, before → after."""

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
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
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
                    changes.append(Change(str(label), _display(newer, field, old), _display(newer, field, new)))
        entries.append(
            HistoryEntry(
                when=newer.history_date,
                who=newer.history_user,
                action=ACTIONS.get(newer.history_type, newer.history_type),
                reason=newer.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def _display(record, field, value):
    if value is None or value == "":
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value
