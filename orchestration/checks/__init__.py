"""Data-quality gate of the close: Great Expectations suites run as Dagster checks."""
