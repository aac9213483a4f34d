"""Background jobs: Dramatiq actors declared by plugins, and a scheduler that enqueues them."""
