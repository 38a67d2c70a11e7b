"""The Rasa server as this assistant runs it: its entry point and the plug-ins it loads."""
