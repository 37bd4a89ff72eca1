"""`logconfig`: the log subscriptions and how each rolls over (a configuration command: commit)."""
