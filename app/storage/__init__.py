"""Where attachment bytes live: a port (ports.py) with a PostgreSQL adapter (the default, so
`make run` needs nothing more) and an S3-compatible one for many API instances."""
