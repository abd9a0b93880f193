"""Reads of the meetings app, one module per area (``meetings.selectors.meetings`` for meetings,
agenda, notices, compliance and calendars)."""
