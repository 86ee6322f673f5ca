"""The assets of a monthly close, in the order data flows through them."""
