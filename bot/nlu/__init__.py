"""Understanding: the Rasa NLU components config.yml names, and the NLU data generated from the fact store."""
