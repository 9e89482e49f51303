"""Plain HTML pages for people who open a node's URLs in a browser."""
