"""Views and notifications, never an Apple write: license usage per account and app (R16), the threshold and
authentication notifications (R17, R18) and their evaluation after every change, the notifications list and the
activity log (R19), and Prometheus metrics. It imports no other service package.
"""
