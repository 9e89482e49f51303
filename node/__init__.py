"""The running application: settings, app factory, CLI, HTTP surfaces and workers."""
