"""The Rasa input channels credentials.yml names, what each platform's payloads ask, and reply markup."""
