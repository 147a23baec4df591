"""Taking licenses back (R10-R12): the plan (which licenses, which devices uninstall and which Macs keep the
app, books skipped, the 30-day grace), the `abctl revoke` request, the one execution path every revocation takes
through the ledger (including the automatic triggers: retire, wipe, unenroll, user delete, app remove, token
delete), and the grace view.
"""
