"""Application services: one use case each, in one transaction, over repositories and domain."""
