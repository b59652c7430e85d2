"""Identity: ports, stub and OIDC adapters, and the app's own access tokens."""
