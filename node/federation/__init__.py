"""The federation surface: discovery (WebFinger, host-meta, NodeInfo) and ActivityPub endpoints."""
