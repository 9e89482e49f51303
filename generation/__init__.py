"""Image generators behind one interface."""
