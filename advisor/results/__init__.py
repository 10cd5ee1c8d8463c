"""Results: the store, share tokens, import, history and comparison (logic only, no printing)."""
