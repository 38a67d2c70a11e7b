"""Running the assistant: settings, Rasa's endpoints, the process supervisor, the action server, retention."""
