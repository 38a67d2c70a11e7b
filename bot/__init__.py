"""The assistant: everything ``make run`` runs, grouped by concern.

- ``domain``: the fact store, languages and answers, plain Python without Rasa.
- ``nlu``: Rasa NLU components, and the training data generated from the store.
- ``channels``: Rasa's input channels, one per platform, the bodies and payloads they read, reply markup.
- ``server``: the Rasa server's entry point and plug-ins (graph runner, tracker store, NLG).
- ``runtime``: settings, endpoints, the supervisor of ``make run`` and its processes, the action server, retention.
- ``web``: the public web front.
- ``paths``: every path of the project, anchored on its root.
- ``__main__``: ``python -m bot facts check`` and ``python -m bot nlu export|check``.
"""
