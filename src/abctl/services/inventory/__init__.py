"""What the organization has, space by space (R20): spaces, users and their enrollment at Apple (R8 invites,
retire), groups, devices (retire, wipe, unenroll), the app catalog, and CSV/JSON imports of users and devices.
Removing things that hold licenses revokes them through the revocation service (R11).
"""
