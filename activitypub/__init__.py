"""The ActivityPub protocol: vocabulary, HTTP signatures, fetching, inbox and delivery."""
