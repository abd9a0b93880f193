"""Signals of the committees app for the apps above it (which committees must not import)."""

from django.dispatch import Signal

# Sent by ``services.post_phone_update`` inside its transaction with ``post``, ``old`` (the
# previous number), ``actor``: meetings moves its upcoming attendees of the post to the new number.
post_phone_changed = Signal()
