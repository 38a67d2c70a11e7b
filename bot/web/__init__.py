"""The public web front: the chat page, the edge checks, and the way in to Rasa.

Only this process listens on a public interface. It serves the chat page,
checks every request at the edge, and forwards `/webhooks/<channel>/...` and
socket.io traffic to the Rasa server on loopback.
"""
