"""Analyst outputs: charts and the HTML report."""
