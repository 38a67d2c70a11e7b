"""Development and staff tools: the shell, the report, evaluation and benchmarks.

The running assistant (``bot``, ``actions``) never imports this package.
"""
