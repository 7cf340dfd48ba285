"""notify: tells every guardian of a child, on each of their channels, about the child's events."""
