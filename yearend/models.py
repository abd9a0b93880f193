"""Models of the yearend app."""
