"""Keeping the database itself: backups, restores, and the doctor that checks everything an admin worries about.

The top of the services: it may use every other services package (the doctor reads tokens, the ledger, drift).
"""
