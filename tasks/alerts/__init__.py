"""Alerts: detect rules, deliver through notifiers, digests, ops alerts."""
