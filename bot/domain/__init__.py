"""The domain: the fact store, languages, and turning a question into replies. No Rasa here."""
