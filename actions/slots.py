"""Slot names shared by the actions and the domain."""

LANGUAGE = "language"
# The fact-store id of the record just answered, for follow-up questions.
FOCUS = "focus"
SESSION_STARTED_METADATA = "session_started_metadata"
