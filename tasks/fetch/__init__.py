"""Fetch stage: the shared HTTP client policy, the raw archive, the download task."""
