"""``make report``: what visitors asked, what went unanswered and how answers were rated.

Reads the conversation store the assistant writes (SQLite under var/, or
PostgreSQL when DATABASE_URL is set), writes ``reports/conversations.html``
and prints a short summary.
"""
