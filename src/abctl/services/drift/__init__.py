"""Drift (design.md R22): every difference between what Apple holds, as of the last read sync stored (or a fresh
full read), and what abctl knows: licenses for unknown targets or targets that should not hold them (R11's
retired, wiped, unenrolled and deleted targets, another space, R5's disallowed users, R8's wasted seats), local
licenses Apple no longer lists, asset counts that disagree. It lists them with the settlement each suggests,
settles them only when asked (revoke through the shared revocation service with R12's platform behaviour and
grace, adopt into the inventory, forget), logs every settlement (R19), and keeps the per-account `drift`
notification. It sits above revocation and inventory, below licensing (reconcile) and accounts (sync, resync).
"""
