"""Data in, facts and findings out: load, model, validate, frameworks, English and Welsh."""
