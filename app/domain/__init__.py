"""Pure domain: rules, aggregates, policies. Knows nothing of HTTP or SQL."""
