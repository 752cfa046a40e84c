"""E-mail digests: subscriptions, the nightly job that picks new items for each subscriber, and
delivery that sends each digest once (see docs/digest.md)."""
