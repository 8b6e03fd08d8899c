"""Approval: a report of what changed since the approved version (`changes`), and the record of who approved
which set (`approve`), kept in manifest.json and shown in the gallery."""
