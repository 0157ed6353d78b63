"""publisher: a privacy-safe social media publishing bot for schools."""

__version__ = "0.1.0"
