"""Web Push (RFC 8030) for the client API's push subscriptions: the node's VAPID key
(vapid.py), the sealed and signed request a push service accepts (seal.py), the payload
Mastodon's apps read (payload.py), and the workers' rounds that queue and send notifications
(rounds.py)."""
