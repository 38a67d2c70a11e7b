"""The Rasa input channels credentials.yml names, what each platform's payloads ask, and reply markup.

Each channel keeps the built-in channel's name, so its webhook stays at
``/webhooks/<name>/webhook``: ``rest``, ``socketio``, ``telegram``, ``slack``,
``facebook`` (``messenger``), and ``privacy`` (``erasure``), our own. ``base``
holds what all of them do to a message and to a reply; ``updates`` reads the
platforms' payloads, ``payloads`` filters slash payloads, ``markup`` writes
each platform's reply markup.
"""
