"""Months are the partitions of every asset: a close builds exactly one month."""

from dagster import MonthlyPartitionsDefinition

# A month can be closed once it has ended: the last partition is the last complete month.
# The cut-off is local time (Asia/Ho_Chi_Minh): a month is complete at its midnight there.
monthly_partitions = MonthlyPartitionsDefinition(
    start_date="2024-01", fmt="%Y-%m", end_offset=0, timezone="Asia/Ho_Chi_Minh"
)
