"""``make review``: the questions the report lists as unanswered, labelled in the terminal for training."""
