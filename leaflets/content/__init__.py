"""Read and validate a content file: YAML within limits, the schema, every problem with its file, line and field."""
