"""The simulator: landing zones in the exact formats of the source contracts, from a seed."""
