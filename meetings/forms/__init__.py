"""Forms of the meetings app, one module per area."""
