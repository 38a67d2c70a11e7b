"""Custom actions: thin rasa-sdk wrappers over the ``bot`` package, one module per feature.

rasa-sdk registers every ``Action`` subclass found in this package.
"""
