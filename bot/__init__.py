"""The assistant: everything ``make run`` runs, grouped by concern.

- ``domain``: the fact store and the answer logic, pure Python without Rasa.
- ``nlu``: Rasa NLU components, and the training data generated from the store.
- ``channels``: Rasa input channels, the platforms' payloads, reply markup.
- ``server``: the Rasa server's entry point and plug-ins (graph runner, tracker store, NLG).
- ``runtime``: settings, endpoints, the supervisor of ``make run``, the action server, retention.
- ``web``: the public web front.
"""
