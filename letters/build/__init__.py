"""Build one letter or many: prepare, project, workers, cache, outputs, approvals, archive."""
