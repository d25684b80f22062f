"""tactful: upsells and cross-sells that serve the customer, with proof that they pay."""

__version__ = "0.1.0"
