# Operational data and rollups arrive with the metrics-engine issue.
