"""The monthly close of the province's work indicators (KPIs)."""
