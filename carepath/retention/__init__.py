"""Retention: the schedule of how long each kind of record keeps its personal data, the nightly
run that anonymises what is past it, and legal holds that stop it (docs/RETENTION.md)."""
