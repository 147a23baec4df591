"""The Apps and Books accounts, one sToken each (R1, R13-R15): adding a token (validate, claim, first full
sync), priorities, rotation (`tokens update`), resync, deletion (revoke everything first), token checks, and
sync itself (incremental by sinceVersionId, full when asked or when Apple requires it).
"""
