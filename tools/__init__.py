"""Staff tools: the terminal shell (``make shell``) and the conversation report (``make report``).

Development tooling only: the running assistant (``bot``, ``actions``) never imports it.
"""
