"""Offline backtests: replay the order history through the offer engine, policy by policy."""
