"""The build: what changed, rendering in warm workers, the quality gate, and publishing the set all or nothing."""
