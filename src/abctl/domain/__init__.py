"""Pure rules of the admin guide: priorities, allocation, thresholds, platform behaviour, revocation, moves.

Standard library plus abctl.models and abctl.errors only; no I/O, no clock reads (time is passed in).
"""
