"""Deciding who gets a license and from which account, then getting it (R2-R9): distribution policies (FCFS
groups, reserved and disallowed targets), planning by priority and policy, executing the plan in the fewest
associate calls through the ledger, reconcile (the desired state cron keeps), and moving devices between spaces
(R20: revoke in the source, license from the destination).
"""
