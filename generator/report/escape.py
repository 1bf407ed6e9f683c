"""One escaper per output format, shared by every reporter of that format."""

from __future__ import annotations


def github_data(text: str) -> str:
    """The message of a GitHub Actions workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A property (file=, title=) of a GitHub Actions workflow command."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def markdown_cell(text: str) -> str:
    """Text inside a cell of a markdown table."""
    return text.replace("|", "\\|")
