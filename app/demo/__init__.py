"""Demo data for `make run` (README "Demo identities"): idempotent, loaded by `load.load_demo`.

`identities` (who logs in) → `catalog` (case types) → `unit_admin` (settings, a group, message
templates, a grant) → `cases` (an inbox in every status) → `outbound` (an information send and
a questions send). Imports run one way only: `load` imports the others, `cases` reads
`identities`, and nothing imports `load`.
"""
