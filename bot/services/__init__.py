"""Course services: what a command does, free of Discord types."""
