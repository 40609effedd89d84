"""JSON endpoints: parse with a schema, call a service, dump. Nothing else."""
