"""The leaders' report of a closed month: HTML from a Jinja template, PDF by Chromium."""
