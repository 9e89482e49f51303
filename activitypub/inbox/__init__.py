"""The inbox: verify and store incoming activities fast, then process them in workers."""
