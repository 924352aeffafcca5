"""The scenario format: schema with every section, safe reading with line numbers, checks, loading, arrays for the models."""
