"""Analysis of message text: identifiers police need, and sextortion signals."""
