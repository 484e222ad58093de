"""Policy-intelligence warehouse: sources, cleaning, raw loading and extraction."""

__version__ = "0.1.0"
