"""flowops: GitOps change management for Amazon Connect contact flows."""

__version__ = "0.1.0"
