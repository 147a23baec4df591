"""The ledger of Apple writes: every associate, disassociate, revoke and user write is recorded as an intent
before it is sent and settled from Apple's answer or event status afterwards, so a crash or a lost answer never
leaves a license counted twice or lost. Recovery settles rows a stopped run left open; `events list` and
`events wait` show and settle the ledger.
"""
