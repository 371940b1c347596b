"""cocreate runtime: configuration, neutral events, routing, scheduling, adapters and the CLI."""
