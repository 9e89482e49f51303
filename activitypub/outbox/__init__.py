"""Building the activities local actions send: Follow, Accept, Undo, Create, Like, Announce, ..."""
