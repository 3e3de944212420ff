"""Pure text rendering: the docker CLI's tables, units and truncation rules.

Nothing here talks to Docker or Discord; every function takes plain data and
returns text, so each rule can be checked against the real CLI in tests.
"""
