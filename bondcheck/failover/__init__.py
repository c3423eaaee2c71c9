"""The link-pull failover test and its safety rails."""
