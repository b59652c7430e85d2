"""Domain events after they are written: the live stream for the staff SPA (one LISTEN per API
process fanning out to the clients), the envelope both it and webhooks send, and the webhooks'
signing secrets."""
